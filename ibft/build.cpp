// Writes iBFT tables from a description, for unit tests and fuzz seeds.
#include "ibft.hpp"

#include <cstring>
#include <sys/socket.h>

namespace isr::ibft {
namespace {

void put16(std::vector<uint8_t> &b, std::size_t at, uint16_t v)
{
    b[at] = v & 0xff;
    b[at + 1] = v >> 8;
}

void put_addr(std::vector<uint8_t> &b, std::size_t at, const net::IpAddress &a)
{
    if (a.family == AF_INET) {
        b[at + 10] = b[at + 11] = 0xff;
        memcpy(&b[at + 12], a.bytes.data(), 4);
    } else if (a.family == AF_INET6) {
        memcpy(&b[at], a.bytes.data(), 16);
    }
}

void put_header(std::vector<uint8_t> &b, std::size_t at, uint8_t id, uint16_t len, uint8_t index, uint8_t flags)
{
    b[at] = id;
    b[at + 1] = 1; // version
    put16(b, at + 2, len);
    b[at + 4] = index;
    b[at + 5] = flags;
}

} // namespace

std::vector<uint8_t> build(const Table &t)
{
    std::size_t pairs = std::max(t.nics.size(), t.targets.size());
    std::size_t slots = 1 + 2 * std::max<std::size_t>(pairs, 2);
    uint16_t clen = (uint16_t)(8 + 2 * slots);
    std::size_t pos = ACPI_HEADER_LEN + clen;
    std::size_t init_off = t.has_initiator ? pos : 0;
    pos += t.has_initiator ? INITIATOR_LEN : 0;
    std::vector<std::size_t> nic_off, tgt_off;
    for (std::size_t i = 0; i < t.nics.size(); ++i, pos += NIC_LEN)
        nic_off.push_back(pos);
    for (std::size_t i = 0; i < t.targets.size(); ++i, pos += TARGET_LEN)
        tgt_off.push_back(pos);
    pos = (pos + 7) & ~std::size_t(7);

    std::vector<uint8_t> b(pos, 0);
    // Strings go after the structures; each (len, off) pair is filled in.
    auto put_str = [&](std::size_t at, std::string_view s) {
        if (s.empty())
            return;
        std::size_t off = b.size();
        b.insert(b.end(), s.begin(), s.end());
        b.push_back(0); // iPXE NUL-terminates; the length excludes it
        put16(b, at, (uint16_t)s.size());
        put16(b, at + 2, (uint16_t)off);
    };

    memcpy(&b[0], t.signature.empty() ? "iBFT" : t.signature.c_str(), 4);
    b[8] = 1; // revision
    memcpy(&b[10], t.oem_id.data(), std::min<std::size_t>(6, t.oem_id.size()));
    memcpy(&b[16], t.oem_table_id.data(), std::min<std::size_t>(8, t.oem_table_id.size()));

    std::size_t c = ACPI_HEADER_LEN;
    put_header(b, c, ID_CONTROL, clen, 0, 0);
    put16(b, c + 8, (uint16_t)init_off);
    for (std::size_t i = 0; i < nic_off.size(); ++i)
        put16(b, c + 10 + 4 * i, (uint16_t)nic_off[i]);
    for (std::size_t i = 0; i < tgt_off.size(); ++i)
        put16(b, c + 12 + 4 * i, (uint16_t)tgt_off[i]);

    if (t.has_initiator) {
        const Initiator &in = t.initiator;
        put_header(b, init_off, ID_INITIATOR, INITIATOR_LEN, in.index, in.flags);
        put_addr(b, init_off + 6, in.isns_server);
        put_addr(b, init_off + 22, in.slp_server);
        put_addr(b, init_off + 38, in.pri_radius_server);
        put_addr(b, init_off + 54, in.sec_radius_server);
    }
    for (std::size_t i = 0; i < t.nics.size(); ++i) {
        const Nic &n = t.nics[i];
        std::size_t o = nic_off[i];
        put_header(b, o, ID_NIC, NIC_LEN, n.index, n.flags);
        put_addr(b, o + 6, n.ip);
        b[o + 22] = n.prefix_len;
        b[o + 23] = n.origin;
        put_addr(b, o + 24, n.gateway);
        put_addr(b, o + 40, n.primary_dns);
        put_addr(b, o + 56, n.secondary_dns);
        put_addr(b, o + 72, n.dhcp);
        put16(b, o + 88, n.vlan);
        memcpy(&b[o + 90], n.mac.data(), 6);
        put16(b, o + 96, n.pci_bdf);
    }
    for (std::size_t i = 0; i < t.targets.size(); ++i) {
        const Target &g = t.targets[i];
        std::size_t o = tgt_off[i];
        put_header(b, o, ID_TARGET, TARGET_LEN, g.index, g.flags);
        put_addr(b, o + 6, g.ip);
        put16(b, o + 22, g.port);
        memcpy(&b[o + 24], g.lun.data(), 8);
        b[o + 32] = g.chap_type;
        b[o + 33] = g.nic_assoc;
    }
    // Strings (after every structure is in place: b may grow).
    if (t.has_initiator)
        put_str(init_off + 70, t.initiator.name);
    for (std::size_t i = 0; i < t.nics.size(); ++i)
        put_str(nic_off[i] + 98, t.nics[i].hostname);
    for (std::size_t i = 0; i < t.targets.size(); ++i) {
        const Target &g = t.targets[i];
        std::size_t o = tgt_off[i];
        put_str(o + 34, g.name);
        put_str(o + 38, g.chap_name);
        put_str(o + 42, g.chap_secret.reveal());
        put_str(o + 46, g.rev_chap_name);
        put_str(o + 50, g.rev_chap_secret.reveal());
    }

    b.resize((b.size() + 3) & ~std::size_t(3), 0);
    uint32_t len = (uint32_t)b.size();
    b[4] = len & 0xff;
    b[5] = (len >> 8) & 0xff;
    b[6] = (len >> 16) & 0xff;
    b[7] = len >> 24;
    uint8_t sum = 0;
    for (uint8_t x : b)
        sum += x;
    b[9] = (uint8_t)(0x100 - sum);
    return b;
}

} // namespace isr::ibft
