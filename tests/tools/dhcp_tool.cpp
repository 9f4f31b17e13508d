// dhcp_tool: dhcp_acquire() and write_lease() from the command line, for
// the network-namespace test. Sets IFNAME up (rtnetlink), acquires a
// lease, writes LEASEDIR/IFNAME.lease and prints it.
//   dhcp_tool IFNAME [TIMEOUT_MS (default 10000)] [LEASEDIR (default /run/iscsiroot)]
// Exit status: 0, the isr::Error code on failure, 2 on usage errors.
#include "../../iscsistart/dhcp/dhcp_client.hpp"
#include "../../iscsistart/dhcp/lease_file.hpp"
#include "../../iscsistart/net/rtnl.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace isr;

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: dhcp_tool IFNAME [TIMEOUT_MS] [LEASEDIR]\n");
        return 2;
    }
    std::string ifname = argv[1];
    long timeout = 10000;
    if (argc >= 3) {
        char *end = nullptr;
        errno = 0;
        timeout = strtol(argv[2], &end, 10);
        if (!*argv[2] || *end || errno || timeout <= 0 || timeout > 3600000) {
            fprintf(stderr, "dhcp_tool: bad TIMEOUT_MS %s\n", argv[2]);
            return 2;
        }
    }
    std::string dir = argc >= 4 ? argv[3] : "/run/iscsiroot";
    if (getenv("DHCP_TOOL_DEBUG"))
        log::set_level(1);
    try {
        {
            net::Rtnl rt;
            auto link = rt.link_by_name(ifname);
            if (!link)
                throw Error(ISCSI_ERR_TRANS, ifname + ": no such network interface");
            rt.set_up(*link);
        }
        dhcp::Lease l = dhcp::dhcp_acquire(ifname, (int)timeout);
        dhcp::write_lease(l, ifname, dir);
        fputs(dhcp::lease_text(l, ifname).c_str(), stdout);
        return 0;
    } catch (const Error &e) {
        log::error("%s", e.what());
        return e.code();
    }
}
