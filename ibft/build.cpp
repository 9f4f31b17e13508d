// Writes iBFT tables from a description, for unit tests and fuzz seeds.
// Field positions come from layout.hpp, the same definition the parser
// reads with; the fixtures in tests/unit/ check both against bytes not
// written here.
#include "ibft.hpp"

#include "layout.hpp"
#include "util/bytes.hpp"

#include <algorithm>
#include <cstring>
#include <sys/socket.h>

namespace isr::ibft {
namespace {

using namespace layout;
using bytes::put_le16;
using bytes::put_le32;

void put_addr(uint8_t *field, const Address &a)
{
    if (a.family == AF_INET) {
        field[10] = field[11] = 0xff; // IPv4-mapped: ::ffff:a.b.c.d
        memcpy(field + 12, a.bytes.data(), 4);
    } else if (a.family == AF_INET6) {
        memcpy(field, a.bytes.data(), sizeof(IpAddressField));
    }
}

void put_header(uint8_t *s, uint8_t id, std::size_t len, uint8_t index, uint8_t flags)
{
    s[offsetof(StructureHeader, structure_id)] = id;
    s[offsetof(StructureHeader, version)] = 1;
    put_le16(s + offsetof(StructureHeader, length), (uint16_t)len);
    s[offsetof(StructureHeader, index)] = index;
    s[offsetof(StructureHeader, flags)] = flags;
}

} // namespace

std::vector<uint8_t> build(const Table &t)
{
    std::size_t pairs = std::max(t.nics.size(), t.targets.size());
    std::size_t slots = 1 + 2 * std::max<std::size_t>(pairs, 2);
    constexpr std::size_t first_slot = offsetof(ControlStructure, initiator_offset);
    uint16_t clen = (uint16_t)(first_slot + sizeof(le16) * slots);
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
    // Strings go after the structures; each StringField is filled in.
    auto put_str = [&](std::size_t at, std::string_view s) {
        if (s.empty())
            return;
        std::size_t off = b.size();
        b.insert(b.end(), s.begin(), s.end());
        b.push_back(0); // iPXE NUL-terminates; the length excludes it
        put_le16(&b[at + offsetof(StringField, length)], (uint16_t)s.size());
        put_le16(&b[at + offsetof(StringField, offset)], (uint16_t)off);
    };

    memcpy(&b[offsetof(AcpiHeader, signature)], t.signature.empty() ? "iBFT" : t.signature.c_str(), 4);
    b[offsetof(AcpiHeader, revision)] = 1;
    memcpy(&b[offsetof(AcpiHeader, oem_id)], t.oem_id.data(), std::min(sizeof(AcpiHeader::oem_id), t.oem_id.size()));
    memcpy(&b[offsetof(AcpiHeader, oem_table_id)], t.oem_table_id.data(),
           std::min(sizeof(AcpiHeader::oem_table_id), t.oem_table_id.size()));

    uint8_t *c = &b[ACPI_HEADER_LEN];
    put_header(c, ID_CONTROL, clen, 0, 0);
    put_le16(c + offsetof(ControlStructure, initiator_offset), (uint16_t)init_off);
    // nic0, target0, nic1, target1, then the expansion slots in pairs
    constexpr std::size_t pair_size = offsetof(ControlStructure, nic1_offset) - offsetof(ControlStructure, nic0_offset);
    for (std::size_t i = 0; i < nic_off.size(); ++i)
        put_le16(c + offsetof(ControlStructure, nic0_offset) + pair_size * i, (uint16_t)nic_off[i]);
    for (std::size_t i = 0; i < tgt_off.size(); ++i)
        put_le16(c + offsetof(ControlStructure, target0_offset) + pair_size * i, (uint16_t)tgt_off[i]);

    if (t.has_initiator) {
        const Initiator &in = t.initiator;
        uint8_t *s = &b[init_off];
        put_header(s, ID_INITIATOR, INITIATOR_LEN, in.index, in.flags);
        put_addr(s + offsetof(InitiatorStructure, isns_server), in.isns_server);
        put_addr(s + offsetof(InitiatorStructure, slp_server), in.slp_server);
        put_addr(s + offsetof(InitiatorStructure, primary_radius_server), in.pri_radius_server);
        put_addr(s + offsetof(InitiatorStructure, secondary_radius_server), in.sec_radius_server);
    }
    for (std::size_t i = 0; i < t.nics.size(); ++i) {
        const Nic &n = t.nics[i];
        uint8_t *s = &b[nic_off[i]];
        put_header(s, ID_NIC, NIC_LEN, n.index, n.flags);
        put_addr(s + offsetof(NicStructure, ip_address), n.ip);
        s[offsetof(NicStructure, subnet_mask_prefix)] = n.prefix_len;
        s[offsetof(NicStructure, origin)] = n.origin;
        put_addr(s + offsetof(NicStructure, gateway), n.gateway);
        put_addr(s + offsetof(NicStructure, primary_dns), n.primary_dns);
        put_addr(s + offsetof(NicStructure, secondary_dns), n.secondary_dns);
        put_addr(s + offsetof(NicStructure, dhcp), n.dhcp);
        put_le16(s + offsetof(NicStructure, vlan), n.vlan);
        memcpy(s + offsetof(NicStructure, mac_address), n.mac.data(), n.mac.size());
        put_le16(s + offsetof(NicStructure, pci_bus_dev_func), n.pci_bdf);
    }
    for (std::size_t i = 0; i < t.targets.size(); ++i) {
        const Target &g = t.targets[i];
        uint8_t *s = &b[tgt_off[i]];
        put_header(s, ID_TARGET, TARGET_LEN, g.index, g.flags);
        put_addr(s + offsetof(TargetStructure, target_ip_address), g.ip);
        put_le16(s + offsetof(TargetStructure, target_ip_socket), g.port);
        memcpy(s + offsetof(TargetStructure, target_boot_lun), g.lun.data(), g.lun.size());
        s[offsetof(TargetStructure, chap_type)] = g.chap_type;
        s[offsetof(TargetStructure, nic_association)] = g.nic_assoc;
    }
    // Strings (after every structure is in place: b may grow, so by index).
    if (t.has_initiator)
        put_str(init_off + offsetof(InitiatorStructure, initiator_name), t.initiator.name);
    for (std::size_t i = 0; i < t.nics.size(); ++i)
        put_str(nic_off[i] + offsetof(NicStructure, host_name), t.nics[i].hostname);
    for (std::size_t i = 0; i < t.targets.size(); ++i) {
        const Target &g = t.targets[i];
        std::size_t o = tgt_off[i];
        put_str(o + offsetof(TargetStructure, target_name), g.name);
        put_str(o + offsetof(TargetStructure, chap_name), g.chap_name);
        put_str(o + offsetof(TargetStructure, chap_secret), g.chap_secret.reveal());
        put_str(o + offsetof(TargetStructure, reverse_chap_name), g.rev_chap_name);
        put_str(o + offsetof(TargetStructure, reverse_chap_secret), g.rev_chap_secret.reveal());
    }

    b.resize((b.size() + 3) & ~std::size_t(3), 0);
    put_le32(&b[offsetof(AcpiHeader, length)], (uint32_t)b.size());
    uint8_t sum = 0;
    for (uint8_t x : b)
        sum += x;
    b[offsetof(AcpiHeader, checksum)] = (uint8_t)(0x100 - sum);
    return b;
}

} // namespace isr::ibft
