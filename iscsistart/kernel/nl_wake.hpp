// Waiting for the kernel to change something without polling blindly: a
// netlink socket joined to a multicast group, whose wait() returns as soon
// as any message arrives (or after the given time). The callers keep
// their own checks (a glob, an RTM_GETLINK) and only replace their sleep
// between two checks, so a missed or unrelated event costs nothing but
// one more check, and without the socket (no permission, an old kernel)
// wait() is the plain sleep it replaces.
#pragma once

namespace isr::kernel {

class NetlinkWake {
public:
    /// Kernel uevents (NETLINK_KOBJECT_UEVENT, group 1): a block device's
    /// "add" comes after devtmpfs made its node.
    static NetlinkWake uevents();
    /// Link changes (NETLINK_ROUTE, RTMGRP_LINK): a new interface, carrier.
    static NetlinkWake links();

    NetlinkWake(NetlinkWake &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    NetlinkWake(const NetlinkWake &) = delete;
    NetlinkWake &operator=(const NetlinkWake &) = delete;
    ~NetlinkWake();

    /// Return after `max_ms` milliseconds, or earlier once a message has
    /// arrived since the last call (all queued ones are read and dropped;
    /// an overrun counts as one). Open the socket before the first check,
    /// so that nothing between check and wait is missed.
    void wait(int max_ms);

private:
    NetlinkWake(int protocol, unsigned groups);
    int fd_ = -1;
};

} // namespace isr::kernel
