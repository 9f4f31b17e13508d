// The supervisor's DHCP lease keeper: renews the leases of the interfaces
// iscsistart configured by DHCP (RFC 2131 4.4.5, dhcp::Renewal), for as
// long as the supervisor runs and no other program manages the interface.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace isr::supervise {

/// Every `<if>.lease` with METHOD='dhcp' in /run/iscsiroot, reached as
/// /proc/1/root/run/iscsiroot (the initramfs's before switch_root, the
/// real root's after: /run moves along). Of several supervisors, the one
/// holding flock(LOCK_EX) on /run/iscsiroot/dhcp-<if>.lock renews; the
/// others try the lock again every 30 s (and take over when its holder
/// exits).
///
/// The holder sends DHCPREQUESTs from a UDP socket on port 68 bound to the
/// interface (SO_BINDTODEVICE, SO_BROADCAST, SO_REUSEADDR, so a DHCP
/// client in the real root can bind the port too), open only while
/// renewing, with the boot's client identifier; an ACK rewrites the lease
/// file's SERVER, LEASETIME, RENEWTIME, REBINDTIME and BOUNDAT. The
/// address is never touched.
///
/// Every 5 s, and before each REQUEST, it reads the interface's IPv4
/// addresses (RTM_GETADDR): when ours is gone, replaced, or carries a
/// finite valid lifetime (iscsistart adds it with an infinite one; a
/// network manager's DHCP client sets the lease's), another program
/// manages the interface: one line "eth0: address 10.0.2.15 now managed
/// by another program (finite lifetime); stopping DHCP renewal" and no
/// more REQUESTs on it.
class LeaseKeeper {
public:
    /// `proc_fd`: /proc, open O_PATH (the supervisor's held one);
    /// `run_dir`: the lease directory relative to it (tests give AT_FDCWD
    /// and a directory of their own).
    explicit LeaseKeeper(int proc_fd, std::string run_dir = "1/root/run/iscsiroot");
    ~LeaseKeeper();
    LeaseKeeper(const LeaseKeeper &) = delete;
    LeaseKeeper &operator=(const LeaseKeeper &) = delete;

    /// Do what is due now and return at once (no waiting: sends are
    /// non-blocking, replies are read with MSG_DONTWAIT). Call it at least
    /// every 2 s; a reply waits in the socket until then. Never throws.
    void tick();

    struct Iface;

private:
    int proc_fd_;
    std::string run_dir_;
    long next_scan_ = 0;
    std::vector<std::unique_ptr<Iface>> ifaces_;
};

} // namespace isr::supervise
