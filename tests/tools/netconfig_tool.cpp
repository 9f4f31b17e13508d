// netconfig_tool: configure_nic(), write_resolv_conf() and the parts the
// kernel-command-line path uses, from the command line, for the
// network-namespace tests. Prints the configured interface.
//   netconfig_tool --mac aa:bb:cc:dd:ee:ff [--vlan N] [--addr A/LEN] [--gw G]
//                  [--dns D]... [--resolv PATH] [--pci BDF] [--timeout MS]
//   netconfig_tool wait [--name IF] [--mac M] [--timeout MS]
//       wait_for_link(): by name, by MAC, or (neither) the first with carrier
//   netconfig_tool set-link --dev IF [--mtu N] [--set-mac M] [--rename NAME]
//       Rtnl::set_link(); prints the link's name afterwards
//   netconfig_tool link --dev IF [--addr A/LEN] [--gw G]      configure_link()
//   netconfig_tool route --dev IF --dest D/LEN [--gw G]       Rtnl::add_route()
//   netconfig_tool vlan --dev IF --vlan N [--name NAME]       Rtnl::create_vlan()
// Exit status: 0, the isr::Error code on failure, 2 on usage errors.
#include "../../iscsistart/net/netconfig.hpp"
#include "../../iscsistart/net/rtnl.hpp"
#include "util/errors.hpp"
#include "util/mac.hpp"
#include "util/log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace isr;

static int usage(const char *why)
{
    fprintf(stderr,
            "netconfig_tool: %s\n"
            "usage: netconfig_tool --mac aa:bb:cc:dd:ee:ff [--vlan N] [--addr A/LEN] [--gw G] [--dns D]...\n"
            "                      [--resolv PATH] [--pci BDF] [--timeout MS]\n"
            "       netconfig_tool wait [--name IF] [--mac M] [--timeout MS]\n"
            "       netconfig_tool set-link --dev IF [--mtu N] [--set-mac M] [--rename NAME]\n"
            "       netconfig_tool link --dev IF [--addr A/LEN] [--gw G]\n"
            "       netconfig_tool route --dev IF --dest D/LEN [--gw G]\n"
            "       netconfig_tool vlan --dev IF --vlan N [--name NAME]\n",
            why);
    return 2;
}

static bool number(const char *s, long lo, long hi, long &out)
{
    char *end = nullptr;
    errno = 0;
    out = strtol(s, &end, 10);
    return *s && !*end && errno == 0 && out >= lo && out <= hi;
}

// "ADDRESS/PREFIXLEN"
static bool address_prefix(const char *v, net::IpAddress &addr, uint8_t &len)
{
    std::string s = v;
    auto slash = s.find('/');
    long n;
    auto a = net::IpAddress::parse(s.substr(0, slash));
    if (!a || slash == std::string::npos || !number(s.c_str() + slash + 1, 0, 255, n))
        return false;
    addr = *a;
    len = (uint8_t)n;
    return true;
}

static net::Link link_named(net::Rtnl &nl, const std::string &name)
{
    auto l = nl.link_by_name(name);
    if (!l)
        throw Error(ISCSI_ERR_INVAL, "netconfig_tool: no interface " + name);
    return *l;
}

int main(int argc, char **argv)
{
    std::string cmd;
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        cmd = argv[1];
        first = 2;
        if (cmd != "wait" && cmd != "set-link" && cmd != "link" && cmd != "route" && cmd != "vlan")
            return usage(("unknown command " + cmd).c_str());
    }
    net::NicConfig c;
    bool have_mac = false;
    std::string resolv = "/etc/resolv.conf";
    long timeout = 5000, mtu = 0;
    std::string dev, name, rename;
    std::optional<std::array<uint8_t, 6>> set_mac;
    net::IpAddress dest;
    uint8_t dest_len = 0;
    bool have_dest = false;
    for (int i = first; i < argc; ++i) {
        std::string o = argv[i];
        if (i + 1 >= argc)
            return usage(("missing value for " + o).c_str());
        const char *v = argv[++i];
        long n;
        if (o == "--mac") {
            auto m = parse_mac(v);
            if (!m)
                return usage("bad --mac");
            c.mac = *m;
            have_mac = true;
        } else if (o == "--vlan") {
            if (!number(v, 0, 4095, n))
                return usage("bad --vlan");
            c.vlan = (uint16_t)n;
        } else if (o == "--addr") {
            if (!address_prefix(v, c.address, c.prefix_len))
                return usage("bad --addr (want ADDRESS/PREFIXLEN)");
        } else if (o == "--gw") {
            auto a = net::IpAddress::parse(v);
            if (!a)
                return usage("bad --gw");
            c.gateway = *a;
        } else if (o == "--dns") {
            auto a = net::IpAddress::parse(v);
            if (!a)
                return usage("bad --dns");
            c.dns.push_back(*a);
        } else if (o == "--resolv") {
            resolv = v;
        } else if (o == "--pci") {
            c.pci_bdf = v;
        } else if (o == "--timeout") {
            if (!number(v, 0, 600000, timeout))
                return usage("bad --timeout");
        } else if (o == "--dev") {
            dev = v;
        } else if (o == "--name") {
            name = v;
        } else if (o == "--mtu") {
            if (!number(v, 0, 1000000, mtu))
                return usage("bad --mtu");
        } else if (o == "--set-mac") {
            set_mac = parse_mac(v);
            if (!set_mac)
                return usage("bad --set-mac");
        } else if (o == "--rename") {
            rename = v;
        } else if (o == "--dest") {
            if (!address_prefix(v, dest, dest_len))
                return usage("bad --dest (want ADDRESS/PREFIXLEN)");
            have_dest = true;
        } else {
            return usage(("unknown option " + o).c_str());
        }
    }
    if (cmd.empty() && !have_mac)
        return usage("--mac is required");
    if (cmd != "" && cmd != "wait" && dev.empty())
        return usage("--dev is required");
    if (cmd == "route" && !have_dest)
        return usage("--dest is required");
    try {
        if (cmd.empty()) {
            std::string ifname = net::configure_nic(c, (int)timeout);
            net::write_resolv_conf(c.dns, resolv);
            printf("%s\n", ifname.c_str());
            return 0;
        }
        net::Rtnl nl;
        if (cmd == "wait") {
            net::LinkWanted w;
            w.name = name;
            if (have_mac)
                w.mac = c.mac;
            printf("%s\n", net::wait_for_link(nl, w, (int)timeout).name.c_str());
        } else if (cmd == "set-link") {
            net::Link l = link_named(nl, dev);
            nl.set_link(l, (uint32_t)mtu, set_mac, rename);
            auto now = nl.link_by_index(l.index);
            printf("%s\n", now ? now->name.c_str() : "");
        } else if (cmd == "link") {
            net::configure_link(nl, link_named(nl, dev), c.address, c.prefix_len, c.gateway);
            printf("%s\n", dev.c_str());
        } else if (cmd == "route") {
            nl.add_route(link_named(nl, dev), dest, dest_len, c.gateway);
            printf("%s\n", dev.c_str());
        } else if (cmd == "vlan") {
            printf("%s\n", nl.create_vlan(link_named(nl, dev), c.vlan, name).name.c_str());
        }
        return 0;
    } catch (const Error &e) {
        log::error("%s", e.what());
        return e.code();
    }
}
