#include "runner.hpp"

#include "../boot_session.hpp"
#include "../supervise/supervisor.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace isr::paths {
namespace {

struct Child {
    pid_t pid = -1;
    int report_fd = -1; // its report (format_report)
    int log_fd = -1;    // its stderr, passed on to ours
    std::string report;
};

bool write_all(int fd, const std::string &s)
{
    for (std::size_t done = 0; done < s.size();) {
        ssize_t n = write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += (std::size_t)n;
    }
    return true;
}

std::string joined(const std::vector<std::string> &v)
{
    std::string s;
    for (const auto &d : v)
        s += (s.empty() ? "" : " ") + d;
    return s;
}

// A path that logs in after the boot went on may find the initramfs gone:
// switch_root moved /sys, /dev and /run to the real root, and our root
// directory is the emptied initramfs. Then follow the boot into the real
// root, PID 1's (through /proc, held since before the switch), so the
// scan, the block device and a supervisor see what the system sees.
void follow_switch_root(int proc_fd)
{
    if (access("/sys/class/iscsi_session", F_OK) == 0 || proc_fd < 0)
        return;
    int root = openat(proc_fd, "1/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 || fchdir(root) != 0 || chroot(".") != 0 || chdir("/") != 0)
        log::error("the boot switched root, and this path cannot follow it: %s", strerror(errno));
    else
        log::info("the boot switched root meanwhile; following it");
    if (root >= 0)
        close(root);
}

// One path's process: log in, report, then supervise the session (with
// --supervise) or end. The boot may have gone on without us: then the
// report cannot be delivered (EPIPE) and the kernel log says what became
// of the path.
[[noreturn]] void child_main(const Path &p, int report_fd, int log_fd)
{
    signal(SIGPIPE, SIG_IGN);
    dup2(log_fd, STDERR_FILENO);
    close(log_fd);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO); // a hook's $(iscsistart) must not wait for us
        close(null);
    }
    // not killed with the initramfs' other processes at switch-root
    // should it still be trying then (systemd spares argv[0] '@')
    setsid();
    supervise::set_title();
    log::set_tag(p.tag.c_str());
    int rc = ISCSI_SUCCESS;
    std::vector<std::string> disks;
    const int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    try {
        // the scan in whatever root the boot is in by then
        disks = boot_session(p.cfg, nullptr, [proc_fd] { follow_switch_root(proc_fd); });
    } catch (const SessionExists &e) {
        rc = e.code();
        disks = e.disks();
        log::info("%s: %s", p.label.c_str(), e.what());
    } catch (const Error &e) {
        rc = e.code();
        log::error("%s: %s", p.label.c_str(), e.what());
    } catch (const std::bad_alloc &) {
        rc = ISCSI_ERR_NOMEM;
        log::error("%s: out of memory", p.label.c_str());
    } catch (const std::exception &e) {
        rc = ISCSI_ERR_INTERNAL;
        log::error("%s: internal error: %s", p.label.c_str(), e.what());
    }
    if (!write_all(report_fd, format_report(rc, disks))) {
        if (rc == ISCSI_SUCCESS || rc == ISCSI_ERR_SESS_EXISTS)
            log::info("%s: path up after the boot went on: %s", p.label.c_str(), joined(disks).c_str());
        else
            log::error("%s: this path is down (exit %d); the boot went on without it", p.label.c_str(), rc);
    }
    close(report_fd);
    supervise::start(std::move(supervised_sessions()));
    _exit(rc);
}

void close_fd(int &fd)
{
    if (fd >= 0)
        close(fd);
    fd = -1;
}

} // namespace

void run_paths(std::vector<Path> paths, LoginTally &tally)
{
    for (const auto &l : drop_repeats(paths))
        log::info("warning: %s: named again; one session per target and portal, logging in once", l.c_str());
    if (paths.empty())
        return;
    if (int n = apply_multipath_defaults(paths))
        log::info("multipath: %d paths share a target and LUN: replacement_timeout %d s and NOP-Out every 5 s "
                  "where not set, so that a dead path fails over quickly",
                  n, MULTIPATH_REPLACEMENT_TIMEOUT_S);

    if (paths.size() == 1) { // in this process, as a single login always was
        const Path &p = paths.front();
        try {
            for (const auto &d : boot_session(p.cfg))
                printf("%s\n", d.c_str());
            fflush(stdout);
            ++tally.logged_in;
        } catch (const Error &e) {
            tally_error(tally, e); // an existing session's disks are printed here
            log::error("%s: %s", p.label.c_str(), e.what());
        }
        return;
    }

    // What every path needs, once, before they start at the same time.
    prepare_kernel();
    fflush(stdout);
    fflush(stderr);

    std::vector<Child> kids(paths.size());
    std::vector<State> states(paths.size(), State::RUNNING);
    for (std::size_t i = 0; i < paths.size(); ++i) {
        int rep[2], lg[2];
        if (pipe2(rep, O_CLOEXEC) != 0 || pipe2(lg, O_CLOEXEC) != 0) {
            log::error("%s: pipe: %s", paths[i].label.c_str(), strerror(errno));
            states[i] = State::FAILED;
            tally.failed(ISCSI_ERR_INTERNAL);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) {
            for (auto &k : kids) { // the other paths' ends are not ours
                close_fd(k.report_fd);
                close_fd(k.log_fd);
            }
            close(rep[0]);
            close(lg[0]);
            child_main(paths[i], rep[1], lg[1]);
        }
        close(rep[1]);
        close(lg[1]);
        if (pid < 0) {
            log::error("%s: fork: %s", paths[i].label.c_str(), strerror(errno));
            close(rep[0]);
            close(lg[0]);
            states[i] = State::FAILED;
            tally.failed(ISCSI_ERR_INTERNAL);
            continue;
        }
        kids[i] = Child{pid, rep[0], lg[0], {}};
        log::info("%s: logging in at %s (pid %d)", paths[i].label.c_str(), paths[i].tag.c_str(), (int)pid);
    }

    char buf[16384];
    while (!can_go_on(paths, states)) {
        std::vector<pollfd> pfds;
        std::vector<std::pair<std::size_t, bool>> whose; // kid, is its report
        for (std::size_t i = 0; i < kids.size(); ++i) {
            if (kids[i].log_fd >= 0) {
                pfds.push_back({kids[i].log_fd, POLLIN, 0});
                whose.emplace_back(i, false);
            }
            if (kids[i].report_fd >= 0) {
                pfds.push_back({kids[i].report_fd, POLLIN, 0});
                whose.emplace_back(i, true);
            }
        }
        if (pfds.empty())
            break; // nothing left to hear from (cannot happen: a RUNNING path has its report open)
        if (poll(pfds.data(), pfds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            log::error("paths: poll: %s", strerror(errno));
            break;
        }
        for (std::size_t k = 0; k < pfds.size(); ++k) {
            if (!pfds[k].revents)
                continue;
            auto [i, is_report] = whose[k];
            Child &c = kids[i];
            int &fd = is_report ? c.report_fd : c.log_fd;
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n > 0) {
                if (is_report)
                    c.report.append(buf, (std::size_t)n);
                else
                    (void)!write(STDERR_FILENO, buf, (std::size_t)n);
                continue;
            }
            close_fd(fd);
            if (!is_report)
                continue;
            // the path's login ended: its report is whole
            Report r = parse_report(c.report);
            const bool up = r.complete && (r.rc == ISCSI_SUCCESS || r.rc == ISCSI_ERR_SESS_EXISTS) &&
                            (!r.disks.empty() || !paths[i].cfg.session.scan);
            states[i] = up ? State::UP : State::FAILED;
            if (up) {
                for (const auto &d : r.disks)
                    printf("%s\n", d.c_str());
                fflush(stdout);
                if (r.rc == ISCSI_SUCCESS)
                    ++tally.logged_in;
                else
                    ++tally.existed;
            } else if (!r.complete) {
                log::error("%s: its login process ended without a result", paths[i].label.c_str());
                tally.failed(ISCSI_ERR_INTERNAL);
            } else {
                tally.failed(r.rc ? r.rc : ISCSI_ERR_NO_OBJS_FOUND);
            }
        }
    }

    for (std::size_t i = 0; i < kids.size(); ++i) {
        if (states[i] == State::RUNNING && kids[i].pid > 0)
            log::info("%s: still logging in; the boot goes on through the other path(s), this one in the "
                      "background (pid %d)",
                      paths[i].label.c_str(), (int)kids[i].pid);
        close_fd(kids[i].report_fd);
        close_fd(kids[i].log_fd);
        if (states[i] != State::RUNNING && kids[i].pid > 0)
            waitpid(kids[i].pid, nullptr, 0); // it ends (or leaves its supervisor) right after its report
    }
}

} // namespace isr::paths
