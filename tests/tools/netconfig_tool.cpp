// netconfig_tool: configure_nic() and write_resolv_conf() from the command
// line, for the network-namespace tests. Prints the configured interface.
//   netconfig_tool --mac aa:bb:cc:dd:ee:ff [--vlan N] [--addr A/LEN] [--gw G]
//                  [--dns D]... [--resolv PATH] [--pci BDF] [--timeout MS]
// Exit status: 0, the isr::Error code on failure, 2 on usage errors.
#include "../../iscsistart/net/netconfig.hpp"
#include "../../iscsistart/net/rtnl.hpp"
#include "../../iscsistart/util/errors.hpp"
#include "../../iscsistart/util/log.hpp"

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
            "                      [--resolv PATH] [--pci BDF] [--timeout MS]\n",
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

int main(int argc, char **argv)
{
    net::NicConfig c;
    bool have_mac = false;
    std::string resolv = "/etc/resolv.conf";
    long timeout = 5000;
    for (int i = 1; i < argc; ++i) {
        std::string o = argv[i];
        if (i + 1 >= argc)
            return usage(("missing value for " + o).c_str());
        const char *v = argv[++i];
        long n;
        if (o == "--mac") {
            auto m = net::parse_mac(v);
            if (!m)
                return usage("bad --mac");
            c.mac = *m;
            have_mac = true;
        } else if (o == "--vlan") {
            if (!number(v, 0, 4095, n))
                return usage("bad --vlan");
            c.vlan = (uint16_t)n;
        } else if (o == "--addr") {
            std::string s = v;
            auto slash = s.find('/');
            auto a = net::IpAddress::parse(s.substr(0, slash));
            if (!a || slash == std::string::npos || !number(s.c_str() + slash + 1, 0, 255, n))
                return usage("bad --addr (want ADDRESS/PREFIXLEN)");
            c.address = *a;
            c.prefix_len = (uint8_t)n;
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
        } else {
            return usage(("unknown option " + o).c_str());
        }
    }
    if (!have_mac)
        return usage("--mac is required");
    try {
        std::string ifname = net::configure_nic(c, (int)timeout);
        net::write_resolv_conf(c.dns, resolv);
        printf("%s\n", ifname.c_str());
        return 0;
    } catch (const Error &e) {
        log::error("%s", e.what());
        return e.code();
    }
}
