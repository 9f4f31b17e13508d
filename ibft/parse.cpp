#include "ibft.hpp"

#include "layout.hpp"
#include "util/bytes.hpp"
#include "util/errors.hpp"
#include "util/scsi_lun.hpp"

#include <cstdio>
#include <cstring>
#include <sys/socket.h>

namespace isr::ibft {
namespace {

using namespace layout;
using bytes::get_le16;
using bytes::get_le32;

[[noreturn]] void bad(const std::string &why) { throw Error(ISCSI_ERR_INVAL, "iBFT: " + why); }

std::string trimmed(const uint8_t *p, std::size_t n)
{
    std::string s(reinterpret_cast<const char *>(p), n);
    while (!s.empty() && (s.back() == '\0' || s.back() == ' '))
        s.pop_back();
    return s;
}

// An IpAddressField: IPv4-mapped (::ffff:a.b.c.d) or IPv6; all zeros
// and ::ffff:0.0.0.0 mean "not set".
Address address(const uint8_t *p)
{
    static const uint8_t zeros[sizeof(IpAddressField)] = {};
    static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    Address a;
    if (memcmp(p, zeros, 16) == 0)
        return a;
    if (memcmp(p, mapped_prefix, 12) == 0) {
        if (memcmp(p + 12, zeros, 4) == 0)
            return a;
        a.family = AF_INET;
        memcpy(a.bytes.data(), p + 12, 4);
        return a;
    }
    a.family = AF_INET6;
    memcpy(a.bytes.data(), p, 16);
    return a;
}

struct Span {
    std::size_t off, len;
    std::string what;
};

class Parser {
public:
    Parser(const uint8_t *d, std::size_t n) : d_(d), n_(n) {}

    // A StringField at `at`: (length, offset), the offset from the start
    // of the table.
    std::string str(const uint8_t *at, const std::string &what)
    {
        uint16_t len = get_le16(at + offsetof(StringField, length));
        uint16_t off = get_le16(at + offsetof(StringField, offset));
        if (len == 0)
            return {};
        check_span(off, len, what);
        for (const auto &s : structs_)
            if (off < s.off + s.len && s.off < (std::size_t)off + len)
                bad(what + ": string at offset " + std::to_string(off) + " overlaps the " + s.what);
        std::string v(reinterpret_cast<const char *>(d_ + off), len);
        // Some firmware counts a trailing NUL in the length.
        while (!v.empty() && v.back() == '\0')
            v.pop_back();
        return v;
    }

    void check_span(std::size_t off, std::size_t len, const std::string &what)
    {
        if (off < ACPI_HEADER_LEN + CONTROL_LEN || off + len > n_)
            bad(what + ": offset " + std::to_string(off) + " length " + std::to_string(len) +
                " is outside the table (" + std::to_string(n_) + " bytes)");
    }

    void claim(std::size_t off, std::size_t len, const std::string &what)
    {
        check_span(off, len, what);
        for (const auto &s : structs_)
            if (off < s.off + s.len && s.off < off + len)
                bad(what + " at offset " + std::to_string(off) + " overlaps the " + s.what);
        structs_.push_back({off, len, what});
    }

    const uint8_t *d_;
    std::size_t n_;
    std::vector<Span> structs_;
};

} // namespace

bool Nic::used_dhcp() const
{
    return origin == ORIGIN_DHCP || dhcp.set();
}

std::string Nic::pci_path() const
{
    char s[16];
    snprintf(s, sizeof s, "0000:%02x:%02x.%x", pci_bdf >> 8, (pci_bdf >> 3) & 0x1f, pci_bdf & 7);
    return s;
}

uint64_t Target::lun_number() const { return sam_lun_number(lun); }

const Nic *Table::nic(uint8_t index) const
{
    for (const auto &n : nics)
        if (n.index == index)
            return &n;
    return nullptr;
}

Table parse(const uint8_t *d, std::size_t n)
{
    if (n < ACPI_HEADER_LEN + CONTROL_LEN)
        bad("table of " + std::to_string(n) + " bytes is shorter than its headers");
    Table t;
    t.signature = std::string(reinterpret_cast<const char *>(d + offsetof(AcpiHeader, signature)), 4);
    if (t.signature != "iBFT" && t.signature != "IBFT" && t.signature != "BIFT")
        bad("signature is not iBFT");
    uint32_t length = get_le32(d + offsetof(AcpiHeader, length));
    if (length < ACPI_HEADER_LEN + CONTROL_LEN)
        bad("header length " + std::to_string(length) + " is shorter than its headers");
    if (length > n)
        bad("header length " + std::to_string(length) + " exceeds the " + std::to_string(n) + " bytes read (truncated)");
    const uint8_t revision = d[offsetof(AcpiHeader, revision)];
    if (revision != 1)
        bad("revision " + std::to_string(revision) + " is not supported (expected 1)");
    uint8_t sum = 0;
    for (std::size_t i = 0; i < length; ++i)
        sum += d[i];
    if (sum != 0) {
        char m[64];
        snprintf(m, sizeof m, "checksum is wrong (bytes sum to 0x%02x)", sum);
        bad(m);
    }
    t.oem_id = trimmed(d + offsetof(AcpiHeader, oem_id), sizeof(AcpiHeader::oem_id));
    t.oem_table_id = trimmed(d + offsetof(AcpiHeader, oem_table_id), sizeof(AcpiHeader::oem_table_id));

    Parser p(d, length);
    const uint8_t *c = d + ACPI_HEADER_LEN;
    const uint8_t cid = c[offsetof(StructureHeader, structure_id)];
    const uint16_t clen = get_le16(c + offsetof(StructureHeader, length));
    const uint8_t cindex = c[offsetof(StructureHeader, index)];
    if (cid != ID_CONTROL)
        bad("control structure id is " + std::to_string(cid) + ", expected 1");
    if (clen < CONTROL_LEN || clen % 2 || ACPI_HEADER_LEN + clen > length)
        bad("control structure length " + std::to_string(clen) + " is invalid");
    if (cindex != 0)
        bad("control structure index is " + std::to_string(cindex) + ", expected 0");
    p.structs_.push_back({0, ACPI_HEADER_LEN + clen, "table header"});

    // Offsets: initiator, nic0, target0, nic1, target1, then expansion
    // offsets up to the control structure's length.
    constexpr std::size_t first_slot = offsetof(ControlStructure, initiator_offset);
    constexpr std::size_t slot_size = sizeof(le16);
    for (std::size_t at = first_slot; at + slot_size <= clen; at += slot_size) {
        uint16_t off = get_le16(c + at);
        if (off == 0)
            continue;
        std::string slot = "control offset #" + std::to_string((at - first_slot) / slot_size);
        if ((std::size_t)off + sizeof(StructureHeader) > length)
            bad(slot + " (" + std::to_string(off) + ") points outside the table");
        if (off < ACPI_HEADER_LEN + clen)
            bad(slot + " (" + std::to_string(off) + ") points into the table header");
        const uint8_t *s = d + off;
        const uint8_t id = s[offsetof(StructureHeader, structure_id)];
        const uint8_t index = s[offsetof(StructureHeader, index)];
        const uint8_t flags = s[offsetof(StructureHeader, flags)];
        const uint16_t slen = get_le16(s + offsetof(StructureHeader, length));
        auto expect = [&](std::size_t want, const std::string &what) {
            if (slen != want)
                bad(what + " length " + std::to_string(slen) + ", expected " + std::to_string(want));
            p.claim(off, slen, what);
        };
        if (id == ID_INITIATOR) {
            if (t.has_initiator)
                bad("more than one initiator structure");
            expect(INITIATOR_LEN, "initiator structure");
            Initiator &i = t.initiator;
            i.index = index;
            i.flags = flags;
            i.isns_server = address(s + offsetof(InitiatorStructure, isns_server));
            i.slp_server = address(s + offsetof(InitiatorStructure, slp_server));
            i.pri_radius_server = address(s + offsetof(InitiatorStructure, primary_radius_server));
            i.sec_radius_server = address(s + offsetof(InitiatorStructure, secondary_radius_server));
            t.has_initiator = true;
        } else if (id == ID_NIC) {
            std::string what = "NIC structure " + std::to_string(index);
            expect(NIC_LEN, what);
            Nic nic;
            nic.index = index;
            nic.flags = flags;
            nic.ip = address(s + offsetof(NicStructure, ip_address));
            nic.prefix_len = s[offsetof(NicStructure, subnet_mask_prefix)];
            nic.origin = s[offsetof(NicStructure, origin)];
            nic.gateway = address(s + offsetof(NicStructure, gateway));
            nic.primary_dns = address(s + offsetof(NicStructure, primary_dns));
            nic.secondary_dns = address(s + offsetof(NicStructure, secondary_dns));
            nic.dhcp = address(s + offsetof(NicStructure, dhcp));
            nic.vlan = get_le16(s + offsetof(NicStructure, vlan));
            memcpy(nic.mac.data(), s + offsetof(NicStructure, mac_address), nic.mac.size());
            nic.pci_bdf = get_le16(s + offsetof(NicStructure, pci_bus_dev_func));
            if (nic.prefix_len > (nic.ip.family == AF_INET6 ? 128 : 32))
                bad(what + ": prefix length " + std::to_string(nic.prefix_len) + " is too long");
            if (t.nic(nic.index))
                bad(what + ": index used twice");
            t.nics.push_back(nic);
        } else if (id == ID_TARGET) {
            std::string what = "target structure " + std::to_string(index);
            expect(TARGET_LEN, what);
            Target tg;
            tg.index = index;
            tg.flags = flags;
            tg.ip = address(s + offsetof(TargetStructure, target_ip_address));
            tg.port = get_le16(s + offsetof(TargetStructure, target_ip_socket));
            memcpy(tg.lun.data(), s + offsetof(TargetStructure, target_boot_lun), tg.lun.size());
            tg.chap_type = s[offsetof(TargetStructure, chap_type)];
            tg.nic_assoc = s[offsetof(TargetStructure, nic_association)];
            if (tg.chap_type > CHAP_MUTUAL)
                bad(what + ": CHAP type " + std::to_string(tg.chap_type) + " is unknown");
            for (const auto &other : t.targets)
                if (other.index == tg.index)
                    bad(what + ": index used twice");
            t.targets.push_back(std::move(tg));
        } else if (id == ID_EXTENSIONS || id == 0) {
            continue; // not used by anyone; ignored like the kernel does
        } else {
            bad(slot + " points at a structure with unknown id " + std::to_string(id));
        }
    }

    // Strings last, so they can be checked against every structure.
    for (std::size_t at = first_slot; at + slot_size <= clen; at += slot_size) {
        uint16_t off = get_le16(c + at);
        if (off == 0)
            continue;
        const uint8_t *s = d + off;
        const uint8_t id = s[offsetof(StructureHeader, structure_id)];
        const uint8_t index = s[offsetof(StructureHeader, index)];
        if (id == ID_INITIATOR) {
            t.initiator.name = p.str(s + offsetof(InitiatorStructure, initiator_name), "initiator name");
        } else if (id == ID_NIC) {
            for (auto &nic : t.nics)
                if (nic.index == index)
                    nic.hostname = p.str(s + offsetof(NicStructure, host_name),
                                         "NIC " + std::to_string(nic.index) + " host name");
        } else if (id == ID_TARGET) {
            for (auto &tg : t.targets) {
                if (tg.index != index)
                    continue;
                std::string w = "target " + std::to_string(tg.index);
                tg.name = p.str(s + offsetof(TargetStructure, target_name), w + " name");
                tg.chap_name = p.str(s + offsetof(TargetStructure, chap_name), w + " CHAP name");
                tg.chap_secret = Secret(p.str(s + offsetof(TargetStructure, chap_secret), w + " CHAP secret"));
                tg.rev_chap_name = p.str(s + offsetof(TargetStructure, reverse_chap_name), w + " reverse CHAP name");
                tg.rev_chap_secret =
                    Secret(p.str(s + offsetof(TargetStructure, reverse_chap_secret), w + " reverse CHAP secret"));
            }
        }
    }
    return t;
}

} // namespace isr::ibft
