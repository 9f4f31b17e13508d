#include "nl_wake.hpp"

#include "util/clock.hpp"

#include <cerrno>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::kernel {

NetlinkWake::NetlinkWake(int protocol, unsigned groups)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
    if (fd < 0)
        return;
    sockaddr_nl a{};
    a.nl_family = AF_NETLINK;
    a.nl_groups = groups;
    if (bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        close(fd);
        return;
    }
    fd_ = fd;
}

NetlinkWake NetlinkWake::uevents() { return NetlinkWake(NETLINK_KOBJECT_UEVENT, 1); }

NetlinkWake NetlinkWake::links() { return NetlinkWake(NETLINK_ROUTE, RTMGRP_LINK); }

NetlinkWake::~NetlinkWake()
{
    if (fd_ >= 0)
        close(fd_);
}

void NetlinkWake::wait(int max_ms)
{
    if (max_ms < 0)
        max_ms = 0;
    if (fd_ < 0) {
        sleep_ms(max_ms);
        return;
    }
    const long deadline = monotonic_ms() + max_ms;
    for (;;) {
        long left = deadline - monotonic_ms();
        pollfd p{fd_, POLLIN, 0};
        int rc = poll(&p, 1, left > 0 ? (int)left : 0);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) // time is up (or poll failed: then as a sleep that ended)
            return;
        break;
    }
    char buf[8192];
    for (;;) { // drop what is queued; ENOBUFS (an overrun) is a wake-up too
        ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != ENOBUFS)
            return;
    }
}

} // namespace isr::kernel
