// One boot login, end to end: kernel session, login with retries and
// redirects, handoff of the TCP connection, LUN scan, block device.
#pragma once

#include "kernel/handoff.hpp"
#include "kernel/netlink.hpp"
#include "login/client.hpp"
#include "login/config.hpp"

#include <functional>
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

/// What every login needs of the kernel first: iscsi_tcp (loaded when
/// absent), sd_mod and crc32c (best effort: they may be built in).
/// Returns the iscsi_tcp transport handle; throws isr::Error
/// (ISCSI_ERR_TRANS_NOT_FOUND) without iscsi_tcp. boot_session() calls it;
/// so does the path runner, once, before its paths start together.
uint64_t prepare_kernel();

/// Log into the configured target and hand the session to the kernel.
/// Returns the block devices of the session's disks (LUN order).
/// Throws isr::Error with the exit code of the failing step; on failure
/// the kernel session it created is destroyed again. With `keep`, the
/// session's identity and netlink socket are moved there once the kernel
/// has the connection (also when the LUN scan fails afterwards); without
/// it, and with --supervise, they go to supervised_sessions().
/// `before_scan`, when set, runs after the handoff and before the LUN
/// scan (a late path follows the boot's switch_root there).
std::vector<std::string> boot_session(const SessionConfig &cfg, BootSession *keep = nullptr,
                                      const std::function<void()> &before_scan = {});

/// Scan host `host_no` (all LUNs) and wait up to s.disk_timeout_s for the
/// block devices of session `sid` (only LUN s.lun when >= 0), LUN order.
/// Throws isr::Error(ISCSI_ERR_NO_OBJS_FOUND) naming the host (and LUN)
/// when none appears in time, ISCSI_ERR_SYSFS_LOOKUP when the scan fails.
std::vector<std::string> scan_for_disks(uint32_t host_no, uint32_t sid, const SessionSettings &s);

/// Sessions logged in by this process with --supervise, for the
/// supervisor to take when the boot is done (see supervise/).
std::vector<BootSession> &supervised_sessions();

} // namespace isr
