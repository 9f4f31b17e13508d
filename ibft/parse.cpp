#include "ibft.hpp"

#include "util/errors.hpp"

#include <cstdio>
#include <cstring>
#include <sys/socket.h>

namespace isr::ibft {
namespace {

[[noreturn]] void bad(const std::string &why) { throw Error(ISCSI_ERR_INVAL, "iBFT: " + why); }

uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

std::string trimmed(const uint8_t *p, std::size_t n)
{
    std::string s(reinterpret_cast<const char *>(p), n);
    while (!s.empty() && (s.back() == '\0' || s.back() == ' '))
        s.pop_back();
    return s;
}

// 16-byte iBFT address: IPv4-mapped (::ffff:a.b.c.d) or IPv6; all zeros
// and ::ffff:0.0.0.0 mean "not set".
net::IpAddress address(const uint8_t *p)
{
    static const uint8_t zeros[16] = {};
    static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    net::IpAddress a;
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

    // A string field: (length, offset) at `at`, relative to the table.
    std::string str(const uint8_t *at, const std::string &what)
    {
        uint16_t len = le16(at), off = le16(at + 2);
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

uint64_t Target::lun_number() const
{
    // SAM-2 first level: address method in the top two bits of byte 0.
    uint8_t method = lun[0] >> 6;
    if (method == 0) // peripheral device addressing: bus 0 only
        return lun[1];
    if (method == 1) // flat space addressing
        return (uint64_t)(lun[0] & 0x3f) << 8 | lun[1];
    uint64_t v = 0;
    for (uint8_t b : lun)
        v = v << 8 | b;
    return v;
}

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
    t.signature = std::string(reinterpret_cast<const char *>(d), 4);
    if (t.signature != "iBFT" && t.signature != "IBFT" && t.signature != "BIFT")
        bad("signature is not iBFT");
    uint32_t length = le32(d + 4);
    if (length < ACPI_HEADER_LEN + CONTROL_LEN)
        bad("header length " + std::to_string(length) + " is shorter than its headers");
    if (length > n)
        bad("header length " + std::to_string(length) + " exceeds the " + std::to_string(n) + " bytes read (truncated)");
    if (d[8] != 1)
        bad("revision " + std::to_string(d[8]) + " is not supported (expected 1)");
    uint8_t sum = 0;
    for (std::size_t i = 0; i < length; ++i)
        sum += d[i];
    if (sum != 0) {
        char m[64];
        snprintf(m, sizeof m, "checksum is wrong (bytes sum to 0x%02x)", sum);
        bad(m);
    }
    t.oem_id = trimmed(d + 10, 6);
    t.oem_table_id = trimmed(d + 16, 8);

    Parser p(d, length);
    const uint8_t *c = d + ACPI_HEADER_LEN;
    uint16_t clen = le16(c + 2);
    if (c[0] != ID_CONTROL)
        bad("control structure id is " + std::to_string(c[0]) + ", expected 1");
    if (clen < CONTROL_LEN || clen % 2 || ACPI_HEADER_LEN + clen > length)
        bad("control structure length " + std::to_string(clen) + " is invalid");
    if (c[4] != 0)
        bad("control structure index is " + std::to_string(c[4]) + ", expected 0");
    p.structs_.push_back({0, ACPI_HEADER_LEN + clen, "table header"});

    // Offsets: initiator, nic0, target0, nic1, target1, then expansion
    // offsets up to the control structure's length.
    for (std::size_t at = 8; at + 2 <= clen; at += 2) {
        uint16_t off = le16(c + at);
        if (off == 0)
            continue;
        std::string slot = "control offset #" + std::to_string((at - 8) / 2);
        if ((std::size_t)off + 6 > length)
            bad(slot + " (" + std::to_string(off) + ") points outside the table");
        if (off < ACPI_HEADER_LEN + clen)
            bad(slot + " (" + std::to_string(off) + ") points into the table header");
        const uint8_t *s = d + off;
        uint8_t id = s[0];
        uint16_t slen = le16(s + 2);
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
            i.index = s[4];
            i.flags = s[5];
            i.isns_server = address(s + 6);
            i.slp_server = address(s + 22);
            i.pri_radius_server = address(s + 38);
            i.sec_radius_server = address(s + 54);
            t.has_initiator = true;
        } else if (id == ID_NIC) {
            std::string what = "NIC structure " + std::to_string(s[4]);
            expect(NIC_LEN, what);
            Nic nic;
            nic.index = s[4];
            nic.flags = s[5];
            nic.ip = address(s + 6);
            nic.prefix_len = s[22];
            nic.origin = s[23];
            nic.gateway = address(s + 24);
            nic.primary_dns = address(s + 40);
            nic.secondary_dns = address(s + 56);
            nic.dhcp = address(s + 72);
            nic.vlan = le16(s + 88);
            memcpy(nic.mac.data(), s + 90, 6);
            nic.pci_bdf = le16(s + 96);
            if (nic.prefix_len > (nic.ip.family == AF_INET6 ? 128 : 32))
                bad(what + ": prefix length " + std::to_string(nic.prefix_len) + " is too long");
            if (t.nic(nic.index))
                bad(what + ": index used twice");
            t.nics.push_back(nic);
        } else if (id == ID_TARGET) {
            std::string what = "target structure " + std::to_string(s[4]);
            expect(TARGET_LEN, what);
            Target tg;
            tg.index = s[4];
            tg.flags = s[5];
            tg.ip = address(s + 6);
            tg.port = le16(s + 22);
            memcpy(tg.lun.data(), s + 24, 8);
            tg.chap_type = s[32];
            tg.nic_assoc = s[33];
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
    for (std::size_t at = 8; at + 2 <= clen; at += 2) {
        uint16_t off = le16(c + at);
        if (off == 0)
            continue;
        const uint8_t *s = d + off;
        if (s[0] == ID_INITIATOR) {
            t.initiator.name = p.str(s + 70, "initiator name");
        } else if (s[0] == ID_NIC) {
            for (auto &nic : t.nics)
                if (nic.index == s[4])
                    nic.hostname = p.str(s + 98, "NIC " + std::to_string(nic.index) + " host name");
        } else if (s[0] == ID_TARGET) {
            for (auto &tg : t.targets) {
                if (tg.index != s[4])
                    continue;
                std::string w = "target " + std::to_string(tg.index);
                tg.name = p.str(s + 34, w + " name");
                tg.chap_name = p.str(s + 38, w + " CHAP name");
                tg.chap_secret = Secret(p.str(s + 42, w + " CHAP secret"));
                tg.rev_chap_name = p.str(s + 46, w + " reverse CHAP name");
                tg.rev_chap_secret = Secret(p.str(s + 50, w + " reverse CHAP secret"));
            }
        }
    }
    return t;
}

} // namespace isr::ibft
