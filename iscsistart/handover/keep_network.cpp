#include "keep_network.hpp"

#include "iscsistart/cmdline/cmdline.hpp"

#include <sys/socket.h>

namespace isr::handover {

std::string networkd_file_name(const std::string &ifname) { return "10-iscsiroot-" + ifname + ".network"; }

std::string nm_file_name(const std::string &ifname) { return "90-iscsiroot-" + ifname + ".conf"; }

std::string networkd_text(const BootInterface &b)
{
    std::string t = "# Written by iscsiroot's iscsistart in the initramfs: the iSCSI root's\n"
                    "# interface keeps its address (rd.iscsiroot.keep-network=0: no such file)\n"
                    "[Match]\n";
    if (b.mac)
        t += "MACAddress=" + format_mac(*b.mac) + "\n";
    if (b.ifname.find_first_of("*?[") == std::string::npos)
        t += "Name=" + b.ifname + "\n";
    t += "\n[Network]\n"
         "KeepConfiguration=yes\n"
         "LinkLocalAddressing=no\n"
         "IPv6AcceptRA=no\n";
    if (b.dhcp) {
        t += "DHCP=ipv4\n";
    } else {
        if (b.address.set())
            t += "Address=" + b.address.text() + "/" + std::to_string(b.prefix_len) + "\n";
        if (b.gateway.set())
            t += "Gateway=" + b.gateway.text() + "\n";
    }
    for (const auto &d : b.dns)
        t += "DNS=" + d.text() + "\n";
    if (b.dhcp)
        t += "\n[DHCPv4]\n"
             "ClientIdentifier=mac\n";
    return t;
}

std::string nm_text(const BootInterface &b)
{
    std::string spec;
    if (const auto &m = b.perm_mac ? b.perm_mac : b.mac)
        spec = "mac:" + format_mac(*m) + ";";
    spec += "interface-name:=" + b.ifname;
    return "# Written by iscsiroot's iscsistart in the initramfs: NetworkManager leaves\n"
           "# the iSCSI root's interface alone (rd.iscsiroot.keep-network=0: no such file)\n"
           "[keyfile]\n"
           "unmanaged-devices+=" +
           spec + "\n";
}

bool keep_network_wanted(const std::string &cmdline)
{
    bool keep = true;
    for (const auto &w : cmdline::split(cmdline)) {
        const std::string key = "rd.iscsiroot.keep-network";
        if (w.compare(0, key.size(), key) != 0)
            continue;
        if (w.size() == key.size()) {
            keep = true;
        } else if (w[key.size()] == '=') {
            const std::string v = w.substr(key.size() + 1);
            keep = v.empty() || v == "1" || v == "yes" || v == "true" || v == "on"; // as cmdline::parse
        }
    }
    return keep;
}

} // namespace isr::handover
