// One kernel session per target and portal: what a login does when the
// kernel already has a session to the same target (a second iscsistart
// run from the same initramfs, dracut's initqueue running its hook again,
// Debian's scripts calling iscsistart more than once). See iscsistart(8),
// "Existing sessions".
#pragma once

#include "kernel/sessions.hpp"
#include "util/errors.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace isr {

/// The text open-iscsi's iscsistart prints for ISCSI_ERR_SESS_EXISTS
/// (its iscsi_err_print_msg: "initiator reported error (15 - session
/// exists)", without the program name our log line adds).
inline constexpr const char *SESSION_EXISTS_TEXT = "initiator reported error (15 - session exists)";

/// The login was not made because a logged-in kernel session to the same
/// target and portal exists already. code() is ISCSI_ERR_SESS_EXISTS;
/// disks() are that session's block devices (LUN order; empty only when
/// the scan is off, node.session.scan = manual), which the caller prints
/// on stdout as a successful login prints its own.
class SessionExists : public Error {
public:
    SessionExists(uint32_t sid, std::vector<std::string> disks)
        : Error(ISCSI_ERR_SESS_EXISTS, SESSION_EXISTS_TEXT), sid_(sid), disks_(std::move(disks))
    {
    }
    uint32_t sid() const noexcept { return sid_; }
    const std::vector<std::string> &disks() const noexcept { return disks_; }

private:
    uint32_t sid_;
    std::vector<std::string> disks_;
};

/// How long to give an existing session (milliseconds) and whether to
/// look for its disks.
struct ExistingSessionPolicy {
    int login_timeout_ms = 15000; // a FAILED/FREE session's time to log in (node.conn[0].timeo.login_timeout)
    int disk_timeout_ms = 20000;  // its disks' time to appear (as after our own login)
    bool scan = true;             // node.session.scan = auto
    int64_t lun = -1;             // only this LUN's disk (SessionSettings::lun)
};

/// Before CREATE_SESSION: look in `sysfs_root` for a kernel session that
/// kernel::session_matches() `key`. None (or it went away while we
/// waited): return, and the caller logs in. LOGGED_IN: log that, find its
/// disks (scanning its host once when none is visible yet) and throw
/// SessionExists. FAILED or FREE: poll every 100 ms for up to
/// p.login_timeout_ms for it to become LOGGED_IN (then as above); if it
/// does not, throw isr::Error(ISCSI_ERR_SESS_EXISTS) naming the session,
/// its state and the way out. A logged-in session whose disk does not
/// appear within p.disk_timeout_ms is also isr::Error(ISCSI_ERR_SESS_EXISTS),
/// not SessionExists: no disk to print.
void check_existing_session(const kernel::SessionKey &key, const ExistingSessionPolicy &p,
                            const std::string &sysfs_root = "/sys");

/// An exclusive flock(2) on DIR/login-TARGET@ADDRESS:PORT.lock, one file
/// per target name, portal address and port (`key`; a hash when that is
/// over 200 bytes; DIR created 0700 when missing),
/// held from the check for an existing session until the kernel has the
/// new session's connection, so that two iscsistart processes started at
/// once cannot both find no session to the same portal and both create
/// one, while the paths of a multipath root (other portals) log in at the
/// same time. Blocks while another process holds it (saying so once).
/// When DIR is not writable (a read-only /run) it goes on without the
/// lock, with a debug line. The descriptor is close-on-exec; release() or
/// the destructor unlocks.
class LoginLock {
public:
    explicit LoginLock(const kernel::SessionKey &key, const std::string &dir = "/run/iscsiroot");
    ~LoginLock();
    LoginLock(const LoginLock &) = delete;
    LoginLock &operator=(const LoginLock &) = delete;
    void release();
    bool held() const noexcept { return fd_ >= 0; }

private:
    int fd_ = -1;
};

/// The outcome of a run over several targets (-b, --from-cmdline).
struct LoginTally {
    int logged_in = 0;   // new sessions made by this run
    int existed = 0;     // targets whose logged-in session existed (SessionExists; disks printed)
    int first_error = 0; // exit code of the first target that failed, 0 if none did
    void failed(int code)
    {
        if (!first_error && code)
            first_error = code;
    }
};

/// The run's exit status: when no target has a usable session (none new,
/// none existing), the first failure's code; otherwise 15
/// (ISCSI_ERR_SESS_EXISTS) when any target's session existed already,
/// else 0. So a failing extra target does not fail a boot whose root
/// target is there (as before: "0 when at least one login succeeded"),
/// and a rerun of a boot that succeeded gives 15 with the disks printed.
int tally_status(const LoginTally &t);

/// For a catch of isr::Error around boot_session(): when `e` is a
/// SessionExists, print its disks on stdout (one per line, flushed), as a
/// successful login prints its own, and return true.
bool print_existing_disks(const Error &e);

/// The per-target bookkeeping of -b and --from-cmdline for a failed
/// boot_session(): SessionExists prints its disks and counts as existed,
/// any other error counts as failed.
void tally_error(LoginTally &t, const Error &e);

} // namespace isr
