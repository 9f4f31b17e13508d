#include "net_plan.hpp"

#include "util/errors.hpp"

#include <set>

namespace isr::cmdline {

std::string InterfacePlan::final_name() const
{
    if (!vlan_name.empty())
        return vlan_name;
    return rename_to.empty() ? nic_name : rename_to;
}

std::vector<InterfacePlan> plan_network(const BootConfig &b)
{
    std::vector<IpConfig> ips;
    bool off = false;
    for (const IpConfig &c : b.ips) {
        off |= c.method == IpConfig::OFF;
        if (c.method == IpConfig::IBFT || c.method == IpConfig::OFF)
            continue;
        if (c.method == IpConfig::DHCP6 || c.method == IpConfig::AUTO6)
            throw Error(ISCSI_ERR_INVAL, "cmdline: ip: DHCPv6 and IPv6 autoconfiguration are not supported; give "
                                         "a static IPv6 address (ip=[addr]:::prefix::if:none)");
        ips.push_back(c);
    }
    // With the iBFT in use, it describes the network unless ip= says more.
    if (ips.empty() && b.wants_iscsi() && !b.use_ibft && !off)
        ips.push_back(IpConfig{IpConfig::DHCP, "", {}, {}, {}, 0, "", 0, std::nullopt, {}});

    std::vector<InterfacePlan> out;
    std::set<std::string> seen;
    for (const IpConfig &c : ips) {
        InterfacePlan p;
        std::string phys = c.ifname;
        for (const Vlan &v : b.vlans)
            if (!c.ifname.empty() && v.name == c.ifname) {
                p.vlan_id = v.id;
                p.vlan_name = v.name;
                phys = v.parent;
            }
        if (!phys.empty()) {
            p.nic_name = phys;
            for (const auto &[name, mac] : b.ifnames)
                if (name == phys) {
                    // ifname=NAME:MAC: find the NIC by MAC, then name it
                    p.nic_name.clear();
                    p.nic_mac = mac;
                    p.rename_to = name;
                }
        } else if (b.bootif) {
            p.nic_mac = b.bootif;
        }
        p.mtu = c.mtu;
        p.set_mac = c.mac;
        p.method = c.method;
        p.address = c.client;
        p.prefix_len = c.prefix_len;
        p.gateway = c.gateway;
        p.hostname = c.hostname;
        p.dns = c.dns;
        std::string key = c.ifname.empty() ? "(first with carrier)" : c.ifname;
        if (!seen.insert(key).second)
            throw Error(ISCSI_ERR_INVAL, "cmdline: ip: two entries for " + key);
        out.push_back(std::move(p));
    }
    for (const Route &r : b.routes) {
        InterfacePlan *to = nullptr;
        for (auto &p : out)
            if (r.ifname.empty() || p.final_name() == r.ifname || p.nic_name == r.ifname) {
                to = &p;
                break;
            }
        if (!to)
            throw Error(ISCSI_ERR_INVAL, "cmdline: rd.route: no ip= entry brings up " +
                                             (r.ifname.empty() ? std::string("an interface") : r.ifname));
        to->routes.push_back(r);
    }
    return out;
}

} // namespace isr::cmdline
