#include "ibft_nic.hpp"

#include "../ibft/records.hpp"

namespace isr {

net::NicConfig nic_config(const ibft::Nic &n)
{
    net::NicConfig c;
    c.mac = n.mac;
    // 00:00.0 is the host bridge, never a NIC: firmware that leaves the
    // field zero gives no PCI device to load a driver for.
    if (n.pci_bdf)
        c.pci_bdf = n.pci_path();
    c.vlan = n.vlan;
    c.address = n.ip;
    c.prefix_len = n.prefix_len;
    c.gateway = n.gateway;
    for (const auto *d : {&n.primary_dns, &n.secondary_dns})
        if (d->set())
            c.dns.push_back(*d);
    c.hostname = n.hostname;
    c.dhcp = n.used_dhcp();
    return c;
}

std::vector<net::NicConfig> boot_nic_configs(const ibft::Table &t)
{
    std::vector<net::NicConfig> out;
    for (const ibft::Nic *n : ibft::boot_nics(t))
        out.push_back(nic_config(*n));
    return out;
}

} // namespace isr
