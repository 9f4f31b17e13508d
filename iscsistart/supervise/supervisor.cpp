#include "supervisor.hpp"

#include "lease_keeper.hpp"
#include "policy.hpp"
#include "../kernel/kevent.hpp"
#include "../kernel/uevent.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/clock.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::supervise {
namespace {

// How long iscsid may take to recover a session itself (see recover()).
constexpr int ISCSID_GRACE_MS = 10000;

volatile sig_atomic_t g_stop = 0;
LeaseKeeper *g_leases = nullptr; // run()'s, ticked from every wait
char **g_argv = nullptr; // main's, for set_title()

// After replacement_timeout the kernel fails the session's I/O (a
// multipath root's other paths take it), but the path may come back: try
// again this often, quietly, for as long as the session exists.
constexpr long AFTER_TIMEOUT_RETRY_MS = 5000;
void on_term(int) { g_stop = 1; }

// /sys and /proc as they are now: after switch_root our root directory is
// the emptied initramfs, where these paths no longer lead anywhere, but
// the directories we hold stay reachable.
int g_sys = -1, g_proc = -1;


// Open g_sys and g_proc once, while the paths still lead there.
void hold_sys_and_proc()
{
    if (g_sys < 0)
        g_sys = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g_proc < 0)
        g_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

bool read_at(int dir, const std::string &path, std::string &out, std::size_t max = 1 << 20)
{
    if (dir < 0)
        return false;
    int fd = openat(dir, path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    out.clear();
    char buf[4096];
    ssize_t n;
    while (out.size() < max && (n = read(fd, buf, sizeof buf)) > 0)
        out.append(buf, (std::size_t)n);
    close(fd);
    return true;
}

bool session_exists(uint32_t sid)
{
    struct stat st;
    return g_sys < 0 ||
           fstatat(g_sys, ("class/iscsi_session/session" + std::to_string(sid)).c_str(), &st, 0) == 0;
}

// The local port of the kernel's connection 0 of `sid` (iscsi_tcp's
// local_port attribute); 0 when unknown or not connected.
uint16_t kernel_local_port(uint32_t sid)
{
    std::string v;
    if (!read_at(g_sys, "class/iscsi_connection/connection" + std::to_string(sid) + ":0/local_port", v, 64))
        return 0;
    return (uint16_t)strtoul(v.c_str(), nullptr, 10);
}

// The kernel's state of session `sid` ("LOGGED_IN", "FAILED", "FREE").
std::string session_state(uint32_t sid)
{
    std::string v;
    if (!read_at(g_sys, "class/iscsi_session/session" + std::to_string(sid) + "/state", v, 64))
        return {};
    while (!v.empty() && (v.back() == '\n' || v.back() == ' '))
        v.pop_back();
    return v;
}

bool iscsid_up()
{
    std::string t;
    return read_at(g_proc, "net/unix", t) && iscsid_listening(t);
}

// Wait `ms`, keeping the event queue drained (events of sessions we are
// not recovering right now stay queued for the main loop).
void pause_ms(BootSession &s, long ms, std::vector<kernel::KEvent> &later)
{
    long until = monotonic_ms() + ms;
    while (!g_stop) {
        long left = until - monotonic_ms();
        if (left <= 0)
            return;
        if (g_leases)
            g_leases->tick(); // never waits
        kernel::KEvent ev;
        // at most 2 s at a time: the lease keeper's granularity
        if (s.nl->next_event(ev, (int)std::min(left, 2000L)) &&
            !(ev.sid == s.sid && ev.kind == kernel::KEvent::Kind::CONN_ERROR))
            later.push_back(ev);
    }
}

enum class Recovery { DONE, STOPPED, GONE, TAKEN_OVER }; // STOPPED: SIGTERM/SIGINT

// Bring connection 0 of `s` back after the kernel reported it failed.
Recovery recover(BootSession &s, const char *why, std::vector<kernel::KEvent> &later)
{
    const SessionConfig &o = s.config;
    const long t0 = monotonic_ms();
    const long limit_ms = (long)o.session.replacement_timeout_s * 1000L;
    log::info("session %u: connection lost (%s); logging in again to %s at %s:%u", s.sid, why,
              o.login.target_name.c_str(), o.portal.host.c_str(), o.portal.port);
    if (iscsid_up()) {
        // iscsid gets the same event, and when it manages the session
        // (it does once it has synced it) it logs in again itself: let it,
        // rather than race it.
        log::info("session %u: iscsid is running; leaving it %d s to recover the session", s.sid,
                  ISCSID_GRACE_MS / 1000);
        for (long until = monotonic_ms() + ISCSID_GRACE_MS; monotonic_ms() < until && !g_stop;) {
            pause_ms(s, 500, later);
            if (session_state(s.sid) == "LOGGED_IN" && taken_over(true, s.local_port, kernel_local_port(s.sid)))
                return Recovery::TAKEN_OVER;
        }
        log::info("session %u: iscsid did not recover it; logging in again", s.sid);
    }
    bool stopped = false;
    bool past_timeout = false; // replacement_timeout passed: the kernel has failed the I/O
    for (int attempt = 1; !g_stop; ++attempt) {
        try {
            if (!session_exists(s.sid))
                return Recovery::GONE;
            if (!stopped) {
                // Acknowledge the failure: the kernel blocks the session
                // (its I/O waits up to replacement_timeout) and drops the
                // socket; a new one can then be bound.
                s.nl->stop_conn(s.sid, 0, kabi::STOP_CONN_RECOVER);
                stopped = true;
            }
            if (taken_over(iscsid_up(), s.local_port, kernel_local_port(s.sid)))
                return Recovery::TAKEN_OVER;
            // The next CmdSN the kernel will use: the login carries it
            // (RFC 7143 11.12.7), so the target's window starts there.
            uint32_t cmdsn = s.initial_cmdsn + s.nl->scsicmd_pdus(s.sid, 0);
            // ErrorRecoveryLevel 0 (what we offer unless told otherwise)
            // recovers a session by reinstating it (RFC 7143 6.3.5, 7.1.5):
            // same ISID, TSIH 0, and the target drops its old session, with
            // whatever commands were lost in the outage. Logging into the
            // old session instead (its TSIH) leaves the target waiting for
            // the CmdSNs it never got, and every command after them hangs.
            // Only ERL 2 can take the connection back into the old session.
            const bool reinstate_conn = o.login.op.error_recovery_level >= 2 && s.tsih;
            LoginResult lr;
            try {
                lr = login_once(o, s.isid, cmdsn, reinstate_conn ? s.tsih : 0);
            } catch (const Error &e) {
                // A target that restarted no longer knows the TSIH (status
                // 0x020a "session does not exist", an initiator error):
                // reinstate the session instead, same ISID, TSIH 0.
                if (!reinstate_conn || e.code() != ISCSI_ERR_FATAL_LOGIN)
                    throw;
                log::info("session %u: re-login with TSIH %u refused (%s); starting a new target session",
                          s.sid, s.tsih, e.what());
                lr = login_once(o, s.isid, cmdsn, 0);
            }
            try {
                kernel::hand_over(*s.nl, s.sid, o, s.isid, lr);
            } catch (const Error &) {
                stopped = false; // stop the half-bound connection again first
                throw;
            }
            stopped = false;
            s.tsih = lr.neg.tsih;
            s.local_port = lr.sock.local_port();
            log::info("session %u: recovered after %ld ms (attempt %d, TSIH %u, CmdSN %u)", s.sid, monotonic_ms() - t0,
                      attempt, s.tsih, cmdsn);
            return Recovery::DONE;
        } catch (const Error &e) {
            if (past_timeout) {
                log::debug(1, "session %u: attempt %d failed: %s", s.sid, attempt, e.what());
                pause_ms(s, AFTER_TIMEOUT_RETRY_MS, later);
                continue;
            }
            long left = limit_ms > 0 ? t0 + limit_ms - monotonic_ms() : 1L << 40;
            long delay = retry_delay_ms(attempt, jitter_unit(), left);
            if (delay < 0) {
                // said once; the retries go on quietly
                log::error("session %u: not back after %ld s (replacement_timeout): %s; the kernel fails its I/O "
                           "now; still trying every %ld s",
                           s.sid, (monotonic_ms() - t0) / 1000, e.what(), AFTER_TIMEOUT_RETRY_MS / 1000);
                past_timeout = true;
                pause_ms(s, AFTER_TIMEOUT_RETRY_MS, later);
                continue;
            }
            log::info("session %u: attempt %d failed: %s; retrying in %ld ms", s.sid, attempt, e.what(), delay);
            pause_ms(s, delay, later);
        }
    }
    return Recovery::STOPPED;
}

// "N KiB private, M KiB resident" from /proc/self/status: RssAnon is what
// this process alone costs; VmRSS adds the shared pages of the binary and
// its libraries (libcrypto's, mostly), which are in memory anyway.
std::string footprint()
{
    std::string st;
    if (!read_at(g_proc, "self/status", st, 1 << 16))
        return "size unknown";
    auto field = [&](const char *name) {
        auto p = st.find(name);
        return p == std::string::npos ? std::string("?")
                                      : std::to_string(strtol(st.c_str() + p + strlen(name), nullptr, 10));
    };
    return field("RssAnon:") + " KiB private, " + field("VmRSS:") + " KiB resident";
}

// Whether our executable lives in RAM (the initramfs: ramfs or tmpfs),
// so its pages can never have to come from the disk we are repairing.
bool running_from_ram()
{
    struct statfs fs;
    return statfs("/proc/self/exe", &fs) == 0 && (fs.f_type == RAMFS_MAGIC || fs.f_type == TMPFS_MAGIC);
}

// Rewrite our command line (the contiguous argv strings the kernel shows
// in /proc/PID/cmdline) to "@iscsistart --supervise": systemd spares
// processes whose argv[0] starts with '@', and the words the boot was
// started with (a CHAP secret given with -w, say) are no longer shown.
void set_title(char **argv)
{
    if (!argv || !argv[0])
        return;
    char *begin = argv[0], *end = argv[0] + strlen(argv[0]);
    for (int i = 1; argv[i] && argv[i] == end + 1; ++i)
        end = argv[i] + strlen(argv[i]);
    static const char title[] = "@iscsistart\0--supervise"; // two words
    std::size_t room = (std::size_t)(end - begin);             // without the last NUL
    if (room >= sizeof title - 1) {
        memset(begin, 0, room);
        memcpy(begin, title, sizeof title - 1);
    } else if (begin[0]) {
        begin[0] = '@';
    }
}

} // namespace

void run(std::vector<BootSession> &sessions)
{
    hold_sys_and_proc();
    for (const auto &s : sessions)
        log::info("supervising session %u (pid %d, %s)", s.sid, (int)getpid(), footprint().c_str());

    // DHCP leases of the interfaces iscsistart configured: ticked once per
    // turn (every 2 s at most) and from every wait of a recovery.
    LeaseKeeper leases(g_proc);
    g_leases = &leases;
    std::vector<kernel::KEvent> later;
    while (!sessions.empty() && !g_stop) {
        leases.tick();
        bool up = iscsid_up();
        for (auto it = sessions.begin(); it != sessions.end();) {
            const char *gone = nullptr;
            if (!session_exists(it->sid))
                gone = "the session was removed";
            else if (taken_over(up, it->local_port, kernel_local_port(it->sid)))
                gone = "iscsid took the session over";
            if (gone) {
                log::info("session %u: %s; no longer supervising it", it->sid, gone);
                it = sessions.erase(it);
            } else {
                ++it;
            }
        }
        if (sessions.empty())
            break;
        // All sessions share one event stream (each has its own socket in
        // the same multicast group: read the first one's).
        kernel::KEvent ev;
        bool got = false;
        if (!later.empty()) {
            ev = later.front();
            later.erase(later.begin());
            got = true;
        } else {
            try {
                got = sessions.front().nl->next_event(ev, 2000);
            } catch (const Error &e) {
                log::error("supervisor: %s", e.what());
                g_leases = nullptr;
                return;
            }
        }
        if (!got)
            continue;
        for (auto it = sessions.begin(); it != sessions.end(); ++it) {
            if (ev.sid != it->sid)
                continue;
            if (ev.kind == kernel::KEvent::Kind::DESTROY_SESSION || ev.kind == kernel::KEvent::Kind::UNBIND_SESSION) {
                log::info("session %u: removed by the kernel; no longer supervising it", it->sid);
                sessions.erase(it);
                break;
            }
            if (ev.kind != kernel::KEvent::Kind::CONN_ERROR || ev.cid != 0)
                break;
            char why[64];
            snprintf(why, sizeof why, "%s, %u", kernel::conn_error_name(ev.value), ev.value);
            Recovery r = recover(*it, why, later);
            if (r == Recovery::TAKEN_OVER)
                log::info("session %u: iscsid took the session over; no longer supervising it", it->sid);
            if (r != Recovery::DONE)
                sessions.erase(it);
            break;
        }
    }
    g_leases = nullptr;
    log::info("supervisor exits");
}

void set_argv(char **argv) { g_argv = argv; }

void set_title() { set_title(g_argv); }

void start(std::vector<BootSession> sessions, char **argv)
{
    if (sessions.empty())
        return;
    if (!argv)
        argv = g_argv;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        log::error("supervise: fork failed: %s; the session runs unsupervised", strerror(errno));
        return;
    }
    if (pid > 0) {
        log::info("supervisor started (pid %d)", (int)pid);
        return;
    }
    // The child: a daemon of its own, marked for systemd's killing sprees
    // (its rule for root storage daemons: argv[0][0] == '@').
    setsid();
    set_title(argv);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO); // a hook's $(...) must see its end
        struct stat st;
        if (fstat(STDERR_FILENO, &st) != 0 || !S_ISCHR(st.st_mode))
            dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    if (chdir("/") != 0) {
    }
    log::keep_kmsg_open();
    hold_sys_and_proc();
    // Our pages must not have to come from the disk we keep alive: when
    // the binary is not in the initramfs (whose files stay in RAM), lock
    // all of it in memory. And the OOM killer must not pick us.
    if (!running_from_ram() && mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
        log::info("supervise: mlockall failed: %s", strerror(errno));
    int oom = openat(g_proc, "self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (oom >= 0) {
        (void)!write(oom, "-1000", 5);
        close(oom);
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    try {
        run(sessions);
    } catch (const std::exception &e) {
        log::error("supervisor: %s", e.what());
    }
    _exit(0);
}

} // namespace isr::supervise
