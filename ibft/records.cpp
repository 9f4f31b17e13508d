#include "records.hpp"

#include "util/mac.hpp"

#include <algorithm>
#include <cstdio>

namespace isr::ibft {
namespace {

std::string prefix_mask(uint8_t prefix)
{
    uint32_t m = prefix >= 32 ? 0xffffffffu : prefix == 0 ? 0 : ~((1u << (32 - prefix)) - 1);
    char s[16];
    snprintf(s, sizeof s, "%u.%u.%u.%u", m >> 24, (m >> 16) & 0xff, (m >> 8) & 0xff, m & 0xff);
    return s;
}

// The LUN as the kernel's sysfs shows it and open-iscsi prints it: each
// of the 8 bytes in hex without padding.
std::string lun_text(const std::array<uint8_t, 8> &lun)
{
    std::string s;
    char b[4];
    for (uint8_t x : lun) {
        snprintf(b, sizeof b, "%x", x);
        s += b;
    }
    return s;
}

bool flagged(uint8_t flags) { return flags != 0; }

} // namespace

std::string format_records(const Table &t, bool show_secrets,
                           const std::function<std::string(const Mac &)> &ifname_for)
{
    std::string out;
    auto line = [&](const std::string &k, const std::string &v) { out += k + " = " + v + "\n"; };
    auto secret = [&](const Secret &s) { return show_secrets ? std::string(s.reveal()) : std::string("********"); };
    for (const Target &g : t.targets) {
        const Nic *n = t.nic(g.nic_assoc);
        if (!flagged(g.flags) || !n || !flagged(n->flags) || g.name.empty() || !g.ip.set())
            continue;
        out += std::string("# BEGIN RECORD ") + RECORD_VERSION + "\n";
        if (!t.initiator.name.empty())
            line("iface.initiatorname", t.initiator.name);
        line("iface.transport_name", "tcp");
        line("iface.hwaddress", format_mac(n->mac));
        line("iface.bootproto", n->used_dhcp() ? "DHCP" : "STATIC");
        if (n->ip.set())
            line("iface.ipaddress", n->ip.text());
        if (n->prefix_len) {
            line("iface.prefix_len", std::to_string(n->prefix_len));
            line("iface.subnet_mask", prefix_mask(n->prefix_len));
        }
        if (n->gateway.set())
            line("iface.gateway", n->gateway.text());
        if (n->primary_dns.set())
            line("iface.primary_dns", n->primary_dns.text());
        if (n->secondary_dns.set())
            line("iface.secondary_dns", n->secondary_dns.text());
        line("iface.vlan_id", std::to_string(n->vlan));
        std::string ifname = ifname_for(n->mac);
        if (!ifname.empty())
            line("iface.net_ifacename", ifname);
        line("node.name", g.name);
        line("node.conn[0].address", g.ip.text());
        line("node.conn[0].port", std::to_string(g.port));
        if (!g.chap_name.empty())
            line("node.session.auth.username", g.chap_name);
        if (!g.chap_secret.empty())
            line("node.session.auth.password", secret(g.chap_secret));
        if (!g.rev_chap_name.empty())
            line("node.session.auth.username_in", g.rev_chap_name);
        if (!g.rev_chap_secret.empty())
            line("node.session.auth.password_in", secret(g.rev_chap_secret));
        line("node.boot_lun", lun_text(g.lun));
        out += "# END RECORD\n";
    }
    return out;
}

std::vector<const Nic *> boot_nics(const Table &t)
{
    std::vector<const Nic *> order;
    for (const Nic &n : t.nics)
        if (flagged(n.flags))
            order.push_back(&n);
    std::stable_sort(order.begin(), order.end(),
                     [](const Nic *a, const Nic *b) { return a->boot_selected() && !b->boot_selected(); });
    return order;
}

std::vector<const Target *> boot_targets(const Table &t)
{
    std::vector<const Target *> out;
    for (const Target &g : t.targets)
        if (g.boot_selected())
            out.push_back(&g);
    if (out.empty())
        for (const Target &g : t.targets)
            if (flagged(g.flags))
                out.push_back(&g);
    std::stable_sort(out.begin(), out.end(), [](const Target *a, const Target *b) { return a->index < b->index; });
    return out;
}

} // namespace isr::ibft
