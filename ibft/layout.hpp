// The iBFT wire layout, defined once for the parser (parse.cpp) and the
// test writer (build.cpp): "iSCSI Boot Firmware Table (iBFT) as Defined
// in ACPI 3.0b Specification", version 1.03, section 3. Field names are
// the specification's.
//
// Every field is a byte array, so the structures have alignment 1, no
// padding and no host byte order: they are never overlaid on table bytes,
// only used through offsetof() and sizeof. Multi-byte numbers are
// little-endian (util/bytes.hpp get_le16/get_le32/put_le16/put_le32). The
// static_asserts state the specification's byte offsets and sizes, so an
// edit that moves a field fails to compile.
#pragma once

#include <cstddef>
#include <cstdint>

namespace isr::ibft::layout {

using le16 = uint8_t[2]; // 16-bit little-endian number
using le32 = uint8_t[4]; // 32-bit little-endian number
/// An IP address field: IPv6, or IPv4 as an IPv4-mapped IPv6 address
/// (::ffff:a.b.c.d: 10 zero bytes, 0xff 0xff, the 4 IPv4 bytes); all
/// zeros means "not present" (section 3.2).
using IpAddressField = uint8_t[16];

/// A string in the heap area: its length (no terminating NUL) and its
/// offset from the start of the table; length 0 means "not present".
struct StringField {
    le16 length;
    le16 offset;
};
static_assert(sizeof(StringField) == 4);
static_assert(offsetof(StringField, length) == 0 && offsetof(StringField, offset) == 2);

/// ACPI standard table header (ACPI 3.0b section 5.2.6), then 12 reserved
/// bytes (iBFT section 3.3, "iBFT Table Header").
struct AcpiHeader {
    uint8_t signature[4]; // "iBFT"
    le32 length;          // of the whole table, in bytes
    uint8_t revision;     // 1
    uint8_t checksum;     // the table's bytes sum to 0 (mod 256)
    uint8_t oem_id[6];
    uint8_t oem_table_id[8];
    le32 oem_revision;
    uint8_t creator_id[4];
    le32 creator_revision;
    uint8_t reserved[12];
};
static_assert(sizeof(AcpiHeader) == 48);
static_assert(offsetof(AcpiHeader, signature) == 0);
static_assert(offsetof(AcpiHeader, length) == 4);
static_assert(offsetof(AcpiHeader, revision) == 8);
static_assert(offsetof(AcpiHeader, checksum) == 9);
static_assert(offsetof(AcpiHeader, oem_id) == 10);
static_assert(offsetof(AcpiHeader, oem_table_id) == 16);
static_assert(offsetof(AcpiHeader, oem_revision) == 24);
static_assert(offsetof(AcpiHeader, creator_id) == 28);
static_assert(offsetof(AcpiHeader, creator_revision) == 32);
static_assert(offsetof(AcpiHeader, reserved) == 36);

/// The standard structure header every structure starts with (3.4).
struct StructureHeader {
    uint8_t structure_id; // 1 control, 2 initiator, 3 NIC, 4 target, 5 extensions
    uint8_t version;      // 1
    le16 length;          // of the structure, header included
    uint8_t index;        // which NIC or target (0, 1, ...)
    uint8_t flags;        // bit 0 block valid, bit 1 firmware boot selected
};
static_assert(sizeof(StructureHeader) == 6);
static_assert(offsetof(StructureHeader, structure_id) == 0);
static_assert(offsetof(StructureHeader, version) == 1);
static_assert(offsetof(StructureHeader, length) == 2);
static_assert(offsetof(StructureHeader, index) == 4);
static_assert(offsetof(StructureHeader, flags) == 5);

/// Control structure (3.5), right after the ACPI header. A length above
/// 18 adds expansion offsets after target1_offset, in the same NIC,
/// target order. An offset of 0 means "no such structure".
struct ControlStructure {
    StructureHeader header;
    le16 extensions;
    le16 initiator_offset;
    le16 nic0_offset;
    le16 target0_offset;
    le16 nic1_offset;
    le16 target1_offset;
};
static_assert(sizeof(ControlStructure) == 18);
static_assert(offsetof(ControlStructure, extensions) == 6);
static_assert(offsetof(ControlStructure, initiator_offset) == 8);
static_assert(offsetof(ControlStructure, nic0_offset) == 10);
static_assert(offsetof(ControlStructure, target0_offset) == 12);
static_assert(offsetof(ControlStructure, nic1_offset) == 14);
static_assert(offsetof(ControlStructure, target1_offset) == 16);

/// Initiator structure (3.6).
struct InitiatorStructure {
    StructureHeader header;
    IpAddressField isns_server;
    IpAddressField slp_server;
    IpAddressField primary_radius_server;
    IpAddressField secondary_radius_server;
    StringField initiator_name;
};
static_assert(sizeof(InitiatorStructure) == 74);
static_assert(offsetof(InitiatorStructure, isns_server) == 6);
static_assert(offsetof(InitiatorStructure, slp_server) == 22);
static_assert(offsetof(InitiatorStructure, primary_radius_server) == 38);
static_assert(offsetof(InitiatorStructure, secondary_radius_server) == 54);
static_assert(offsetof(InitiatorStructure, initiator_name) == 70);

/// NIC structure (3.7).
struct NicStructure {
    StructureHeader header;
    IpAddressField ip_address;
    uint8_t subnet_mask_prefix; // prefix length in bits
    uint8_t origin;             // IP address origin (3 = DHCP)
    IpAddressField gateway;
    IpAddressField primary_dns;
    IpAddressField secondary_dns;
    IpAddressField dhcp;        // the DHCP server
    le16 vlan;
    uint8_t mac_address[6];
    le16 pci_bus_dev_func;      // bus << 8 | device << 3 | function
    StringField host_name;
};
static_assert(sizeof(NicStructure) == 102);
static_assert(offsetof(NicStructure, ip_address) == 6);
static_assert(offsetof(NicStructure, subnet_mask_prefix) == 22);
static_assert(offsetof(NicStructure, origin) == 23);
static_assert(offsetof(NicStructure, gateway) == 24);
static_assert(offsetof(NicStructure, primary_dns) == 40);
static_assert(offsetof(NicStructure, secondary_dns) == 56);
static_assert(offsetof(NicStructure, dhcp) == 72);
static_assert(offsetof(NicStructure, vlan) == 88);
static_assert(offsetof(NicStructure, mac_address) == 90);
static_assert(offsetof(NicStructure, pci_bus_dev_func) == 96);
static_assert(offsetof(NicStructure, host_name) == 98);

/// Target structure (3.8).
struct TargetStructure {
    StructureHeader header;
    IpAddressField target_ip_address;
    le16 target_ip_socket;   // TCP port
    uint8_t target_boot_lun[8]; // SAM-2 LUN, as on the wire
    uint8_t chap_type;       // 0 none, 1 one-way, 2 mutual
    uint8_t nic_association; // index of the NIC structure to use
    StringField target_name;
    StringField chap_name;
    StringField chap_secret;
    StringField reverse_chap_name;
    StringField reverse_chap_secret;
};
static_assert(sizeof(TargetStructure) == 54);
static_assert(offsetof(TargetStructure, target_ip_address) == 6);
static_assert(offsetof(TargetStructure, target_ip_socket) == 22);
static_assert(offsetof(TargetStructure, target_boot_lun) == 24);
static_assert(offsetof(TargetStructure, chap_type) == 32);
static_assert(offsetof(TargetStructure, nic_association) == 33);
static_assert(offsetof(TargetStructure, target_name) == 34);
static_assert(offsetof(TargetStructure, chap_name) == 38);
static_assert(offsetof(TargetStructure, chap_secret) == 42);
static_assert(offsetof(TargetStructure, reverse_chap_name) == 46);
static_assert(offsetof(TargetStructure, reverse_chap_secret) == 50);

} // namespace isr::ibft::layout
