// lease_keeper_tool: the supervisor's DHCP lease keeper on its own, for the
// network-namespace test: ticks a LeaseKeeper over the lease files in
// LEASEDIR every 200 ms for SECONDS seconds (logs on stderr).
//   lease_keeper_tool LEASEDIR SECONDS
// Exit status: 0, 2 on usage errors.
#include "../../iscsistart/supervise/lease_keeper.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>

using namespace isr;

int main(int argc, char **argv)
{
    long secs = argc == 3 ? strtol(argv[2], nullptr, 10) : 0;
    if (argc != 3 || argv[1][0] != '/' || secs <= 0 || secs > 3600) {
        fprintf(stderr, "usage: lease_keeper_tool /LEASEDIR SECONDS (1..3600)\n");
        return 2;
    }
    if (getenv("LEASE_TOOL_DEBUG"))
        log::set_level(1);
    supervise::LeaseKeeper k(AT_FDCWD, argv[1]);
    const long until = monotonic_ms() + secs * 1000;
    while (monotonic_ms() < until) {
        k.tick();
        sleep_ms(200);
    }
    return 0;
}
