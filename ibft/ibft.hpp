// The iSCSI Boot Firmware Table (iBFT 1.03) as data, the way Linux's
// drivers/firmware/iscsi_ibft.c reads it: an ACPI header, a control
// structure holding offsets, then initiator, NIC and target structures
// whose strings are (length, offset) pairs into the table.
#pragma once

#include "layout.hpp"
#include "util/mac.hpp"
#include "util/secret.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/ip_address.hpp"

namespace isr::ibft {

/// The value of an iBFT address field: IPv4 (stored IPv4-mapped in the
/// table) or IPv6, bytes in network order; unset when the field is zero.
using Address = IpAddress;

/// Structure ids (iBFT 1.03 section 3.1).
enum Id : uint8_t { ID_CONTROL = 1, ID_INITIATOR = 2, ID_NIC = 3, ID_TARGET = 4, ID_EXTENSIONS = 5 };

/// Structure flags, bit 0 and bit 1 (all structures).
constexpr uint8_t FLAG_VALID = 0x01;
constexpr uint8_t FLAG_BOOT_SELECTED = 0x02;

/// Fixed sizes in bytes, as the kernel checks them (layout.hpp).
constexpr std::size_t ACPI_HEADER_LEN = sizeof(layout::AcpiHeader); // 36 + 12 reserved
constexpr std::size_t CONTROL_LEN = sizeof(layout::ControlStructure);
constexpr std::size_t INITIATOR_LEN = sizeof(layout::InitiatorStructure);
constexpr std::size_t NIC_LEN = sizeof(layout::NicStructure);
constexpr std::size_t TARGET_LEN = sizeof(layout::TargetStructure);

/// NIC origin values (iBFT 1.03; 3 = DHCP as open-iscsi reads it).
constexpr uint8_t ORIGIN_DHCP = 3;

/// Target CHAP types.
enum ChapType : uint8_t { CHAP_NONE = 0, CHAP_ONE_WAY = 1, CHAP_MUTUAL = 2 };

struct Initiator {
    uint8_t index = 0;
    uint8_t flags = 0;
    Address isns_server, slp_server, pri_radius_server, sec_radius_server;
    std::string name;
};

struct Nic {
    uint8_t index = 0;
    uint8_t flags = 0;
    Address ip;
    uint8_t prefix_len = 0;
    uint8_t origin = 0;
    Address gateway, primary_dns, secondary_dns, dhcp;
    uint16_t vlan = 0;
    Mac mac{};
    uint16_t pci_bdf = 0; // bus << 8 | device << 3 | function
    std::string hostname;

    bool boot_selected() const { return flags & FLAG_BOOT_SELECTED; }
    /// The NIC got its address by DHCP (origin 3, or a DHCP server address
    /// other than 0.0.0.0, as open-iscsi decides).
    bool used_dhcp() const;
    /// "0000:BB:DD.F" for sysfs.
    std::string pci_path() const;
};

struct Target {
    uint8_t index = 0;
    uint8_t flags = 0;
    Address ip;
    uint16_t port = 3260;
    std::array<uint8_t, 8> lun{}; // SAM-2 8-byte LUN as stored
    uint8_t chap_type = CHAP_NONE;
    uint8_t nic_assoc = 0;        // index of the NIC it is reached through
    std::string name;
    std::string chap_name;
    Secret chap_secret;
    std::string rev_chap_name;
    Secret rev_chap_secret;

    bool boot_selected() const { return flags & FLAG_BOOT_SELECTED; }
    /// The LUN number for single-level LUNs (peripheral or flat addressing).
    uint64_t lun_number() const;
};

struct Table {
    std::string signature;     // "iBFT", "IBFT" or "BIFT"
    std::string oem_id;        // 6 bytes, trailing NULs and spaces dropped
    std::string oem_table_id;  // 8 bytes
    Initiator initiator;
    bool has_initiator = false;
    std::vector<Nic> nics;      // in table order
    std::vector<Target> targets;

    /// The NIC whose index is `index`, or nullptr.
    const Nic *nic(uint8_t index) const;
};

/// Parse a raw table of `len` bytes (what /sys/firmware/acpi/tables/iBFT
/// holds, or what a low-memory scan finds). Every length and offset is
/// bounds-checked. Throws isr::Error(ISCSI_ERR_INVAL) with a one-line
/// message naming the field for: a wrong signature or revision, a table
/// length beyond `len`, a bad checksum, a control structure of the wrong
/// id or size, a structure or string outside the table or overlapping
/// another structure, or a structure with an unexpected id or size.
Table parse(const uint8_t *data, std::size_t len);

/// Build a raw table from `t` (for tests and fuzz seeds): structures laid
/// out in order, strings after them, lengths and checksum filled in.
/// NICs and targets beyond the first two go into the control structure's
/// expansion offsets.
std::vector<uint8_t> build(const Table &t);

} // namespace isr::ibft
