// One boot login, end to end: kernel session, login with retries and
// redirects, handoff of the TCP connection, LUN scan, block device.
#pragma once

#include "kernel/handoff.hpp"
#include "kernel/netlink.hpp"
#include "login/client.hpp"
#include "login/config.hpp"

#include <memory>
#include <string>
#include <vector>

namespace isr {

/// What a supervisor needs to keep a handed-over session alive.
struct BootSession {
    std::unique_ptr<kernel::IscsiNetlink> nl; // joined to the iscsid event group
    uint32_t sid = 0;
    uint32_t host_no = 0;
    pdu::Isid isid{};
    uint16_t tsih = 0;         // the target's handle of the session
    uint16_t local_port = 0;   // our end of the connection we handed over
    uint32_t initial_cmdsn = 1;
    SessionConfig config;      // as logged in (alias filled in)
};

/// Log into the configured target and hand the session to the kernel.
/// Returns the block devices of the session's disks (LUN order).
/// Throws isr::Error with the exit code of the failing step; on failure
/// the kernel session it created is destroyed again. With `keep`, the
/// session's identity and netlink socket are moved there once the kernel
/// has the connection (also when the LUN scan fails afterwards); without
/// it, and with --supervise, they go to supervised_sessions().
std::vector<std::string> boot_session(const SessionConfig &cfg, BootSession *keep = nullptr);

/// Sessions logged in by this process with --supervise, for the
/// supervisor to take when the boot is done (see supervise/).
std::vector<BootSession> &supervised_sessions();

} // namespace isr
