#include "session_exists.hpp"

#include "kernel/sysfs.hpp"
#include "login/login.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr {
namespace {

constexpr int POLL_MS = 100;

// The matching session to report: a logged-in one first.
const kernel::KernelSession *pick(const std::vector<kernel::KernelSession> &all, const kernel::SessionKey &key)
{
    const kernel::KernelSession *any = nullptr;
    for (const auto &s : all) {
        if (!kernel::session_matches(s, key))
            continue;
        if (s.state == kernel::SessionState::LOGGED_IN)
            return &s;
        if (!any)
            any = &s;
    }
    return any;
}

[[noreturn]] void report_logged_in(const kernel::KernelSession &s, const ExistingSessionPolicy &p)
{
    log::info("session %u to %s at %s already exists (logged in); not logging in again", s.sid, s.target_name.c_str(),
              portal_text(s.persistent_address, s.persistent_port).c_str());
    if (!p.scan)
        throw SessionExists(s.sid, {});
    auto disks = kernel::wait_for_disks(s.sid, 0, p.lun);
    if (disks.empty()) {
        if (s.host_no >= 0) {
            try {
                kernel::scan_host((uint32_t)s.host_no);
            } catch (const Error &e) {
                log::info("warning: %s", e.what());
            }
        }
        disks = kernel::wait_for_disks(s.sid, p.disk_timeout_ms, p.lun);
    }
    if (disks.empty())
        throw Error(ISCSI_ERR_SESS_EXISTS, std::string(SESSION_EXISTS_TEXT) + ": session " + std::to_string(s.sid) +
                                               " is logged in, but no disk of it appeared within " +
                                               std::to_string(p.disk_timeout_ms / 1000) + " s");
    for (const auto &d : disks)
        log::info("disk ready: %s (session %u)", d.c_str(), s.sid);
    throw SessionExists(s.sid, std::move(disks));
}

} // namespace

void check_existing_session(const kernel::SessionKey &key, const ExistingSessionPolicy &p,
                            const std::string &sysfs_root)
{
    auto all = kernel::read_sessions(sysfs_root);
    const kernel::KernelSession *m = pick(all, key);
    if (!m) {
        log::debug(1, "no kernel session to %s at %s yet (%zu session(s) in all)", key.target_name.c_str(),
                   portal_text(key.address, key.port).c_str(), all.size());
        return;
    }
    if (m->state == kernel::SessionState::LOGGED_IN)
        report_logged_in(*m, p);

    // Not logged in: its owner (a supervisor, iscsid, or another
    // iscsistart in the middle of its login) may bring it back.
    const uint32_t sid = m->sid;
    const std::string state = kernel::state_name(m->state);
    log::info("session %u to %s at %s exists but is %s; waiting up to %d s for it to log in", sid,
              key.target_name.c_str(), portal_text(m->persistent_address, m->persistent_port).c_str(),
              state.c_str(), p.login_timeout_ms / 1000);
    const long deadline = monotonic_ms() + p.login_timeout_ms;
    std::string last = state;
    for (;;) {
        sleep_ms(POLL_MS);
        all = kernel::read_sessions(sysfs_root);
        m = pick(all, key);
        if (!m) {
            log::info("session %u is gone; logging in", sid);
            return;
        }
        if (m->state == kernel::SessionState::LOGGED_IN)
            report_logged_in(*m, p);
        last = kernel::state_name(m->state);
        if (monotonic_ms() >= deadline)
            break;
    }
    throw Error(ISCSI_ERR_SESS_EXISTS,
                std::string(SESSION_EXISTS_TEXT) + ": session " + std::to_string(m->sid) + " to " + key.target_name +
                    " is " + last + " and did not log in within " + std::to_string(p.login_timeout_ms / 1000) +
                    " s; not creating a second session (log it out with `iscsiadm -m session -r " +
                    std::to_string(m->sid) + " -u`, or wait for its recovery)");
}

LoginLock::LoginLock(const kernel::SessionKey &key, const std::string &dir)
{
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        log::debug(1, "no login lock: cannot create %s: %s; going on without it", dir.c_str(), strerror(errno));
        return;
    }
    // login-TARGET@ADDRESS:PORT.lock: readable (a test or a person can
    // find who holds it); a '/' (never in a valid name or address) cannot
    // leave DIR, and a name too long for one file falls back to its hash
    std::string name = "login-" + key.target_name + "@" + key.address + ":" + std::to_string(key.port);
    for (auto &c : name)
        if (c == '/' || c < ' ')
            c = '_';
    if (name.size() > 200) {
        uint64_t h = 1469598103934665603ull; // FNV-1a
        for (unsigned char c : name)
            h = (h ^ c) * 1099511628211ull;
        char hex[24];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
        name = "login-" + std::string(hex);
    }
    const std::string path = dir + "/" + name + ".lock";
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) {
        log::debug(1, "no login lock: cannot open %s: %s; going on without it", path.c_str(), strerror(errno));
        return;
    }
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0)
        return;
    if (errno == EWOULDBLOCK) {
        log::info("waiting for %s (another iscsistart is logging in to %s at %s:%u)", path.c_str(),
                  key.target_name.c_str(), key.address.c_str(), key.port);
        int rc;
        do
            rc = flock(fd_, LOCK_EX);
        while (rc != 0 && errno == EINTR);
        if (rc == 0)
            return;
    }
    log::debug(1, "no login lock: flock %s: %s; going on without it", path.c_str(), strerror(errno));
    close(fd_);
    fd_ = -1;
}

LoginLock::~LoginLock() { release(); }

void LoginLock::release()
{
    if (fd_ >= 0) {
        close(fd_); // drops the flock
        fd_ = -1;
    }
}

int tally_status(const LoginTally &t)
{
    if (t.logged_in + t.existed == 0)
        return t.first_error;
    return t.existed ? ISCSI_ERR_SESS_EXISTS : ISCSI_SUCCESS;
}

bool print_existing_disks(const Error &e)
{
    const auto *x = dynamic_cast<const SessionExists *>(&e);
    if (!x)
        return false;
    for (const auto &d : x->disks())
        printf("%s\n", d.c_str());
    fflush(stdout);
    return true;
}

void tally_error(LoginTally &t, const Error &e)
{
    if (print_existing_disks(e))
        ++t.existed;
    else
        t.failed(e.code());
}

} // namespace isr
