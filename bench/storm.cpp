// storm: a boot storm on one target. N in-process initiators, each with its
// own initiator name and random ISID, are released together and log in to
// the same portal with iscsistart's login_once (no kernel handoff). A
// retryable failure waits backoff_ms(attempt, unit) before the next attempt,
// with unit random per wait (--jitter on) or 0.5 for everyone (--jitter off:
// every initiator waits exactly the same). All sessions stay open until the
// last initiator is done, so the target really holds N sessions at once.
//
// Output: one key=value line per run ("storm: n=... jitter=... all_ms=...";
// refused=... counts the attempts a busy target turned away with status
// 0301/0302, refused_p50/p95/max the same per initiator)
// plus, with --json, the same as one JSON object; failure reasons follow as
// "storm: reason ..." lines. Times are milliseconds (0.1 ms resolution) from the release; -1: none.
//
// A late target: with --at-ms MS --exec CMD, storm runs CMD (through
// /bin/sh -c) at exactly release + MS and waits for it to exit; the
// benchmark uses it to open the initiators' portal on an already
// configured tgtd. The run then also reports up_from_ms / up_ms (when CMD
// started / returned, i.e. the target is accepting by up_ms), first_ms
// (earliest login) and after_up_ms = all_ms - up_ms. A CMD that cannot be
// run or exits non-zero is a setup error (exit status 2, right away).
// Exit status: 0 when the run completed (failed logins are data, not an
// error), 2 for a usage or setup error, 3 when the watchdog gave up on
// initiators that did not finish in time.
#include "../iscsistart/cli/options.hpp"
#include "../iscsistart/login/client.hpp"
#include "util/backoff.hpp"
#include "util/errors.hpp"

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <latch>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace isr;
using Clock = std::chrono::steady_clock;

namespace {

struct Config {
    std::string host = "127.0.0.1";
    std::string port = "3260";
    std::string target;
    std::string name_prefix = "iqn.2026-11.test.iscsiroot";
    int n = 10;
    bool jitter = true;
    int max_attempts = 10;
    int login_timeout_s = 5;
    int run_timeout_s = 60;
    int base_ms = 250;
    int cap_ms = 4000;
    bool json = false;
    std::string lib_log;   // where the library's own log lines go
    std::string count_cmd; // shell command printing the target's session count
    int at_ms = -1;        // run exec_cmd at release + at_ms (-1: never)
    std::string exec_cmd;
};

struct Outcome {
    int attempts = 0;
    int busy = 0;               // attempts the target refused with 0301/0302
    bool ok = false;
    double ms = -1;             // release to success
    std::string final_error;    // when !ok
    std::vector<std::string> retry_reasons; // one per failed attempt that was retried
    std::optional<LoginResult> session;     // kept open until everyone is done
};

[[noreturn]] void usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "storm: %s\n", msg);
    fprintf(stderr,
            "usage: storm -t TARGET_IQN [-a HOST] [-p PORT] [-n N] [--jitter on|off]\n"
            "             [--max-attempts M] [--login-timeout S] [--run-timeout S]\n"
            "             [--base-ms MS] [--cap-ms MS] [--name-prefix IQN]\n"
            "             [--lib-log FILE] [--count-cmd SHELL_CMD] [--json]\n"
            "             [--at-ms MS --exec SHELL_CMD]\n");
    exit(2);
}

int to_int(const char *opt, const char *v, int lo, int hi)
{
    char *end = nullptr;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || !*v || *end || x < lo || x > hi) {
        fprintf(stderr, "storm: %s: '%s' is not a number in %d..%d\n", opt, v, lo, hi);
        exit(2);
    }
    return (int)x;
}

Config parse_args(int argc, char **argv)
{
    Config c;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> const char * {
            if (i + 1 >= argc)
                usage((a + " needs a value").c_str());
            return argv[++i];
        };
        if (a == "-t" || a == "--target")
            c.target = val();
        else if (a == "-a" || a == "--address")
            c.host = val();
        else if (a == "-p" || a == "--port")
            c.port = std::to_string(to_int("--port", val(), 1, 65535));
        else if (a == "-n")
            c.n = to_int("-n", val(), 1, 100000);
        else if (a == "--jitter") {
            std::string v = val();
            if (v != "on" && v != "off")
                usage("--jitter takes on or off");
            c.jitter = v == "on";
        } else if (a == "--max-attempts")
            c.max_attempts = to_int("--max-attempts", val(), 1, 1000);
        else if (a == "--login-timeout")
            c.login_timeout_s = to_int("--login-timeout", val(), 1, 3600);
        else if (a == "--run-timeout")
            c.run_timeout_s = to_int("--run-timeout", val(), 1, 86400);
        else if (a == "--base-ms")
            c.base_ms = to_int("--base-ms", val(), 1, 3600000);
        else if (a == "--cap-ms")
            c.cap_ms = to_int("--cap-ms", val(), 1, 3600000);
        else if (a == "--name-prefix")
            c.name_prefix = val();
        else if (a == "--lib-log")
            c.lib_log = val();
        else if (a == "--count-cmd")
            c.count_cmd = val();
        else if (a == "--at-ms")
            c.at_ms = to_int("--at-ms", val(), 0, 3600000);
        else if (a == "--exec")
            c.exec_cmd = val();
        else if (a == "--json")
            c.json = true;
        else if (a == "-h" || a == "--help")
            usage(nullptr);
        else
            usage(("unknown option " + a).c_str());
    }
    if (c.target.empty())
        usage("-t TARGET_IQN is required");
    if ((c.at_ms >= 0) != !c.exec_cmd.empty())
        usage("--at-ms and --exec go together");
    return c;
}

// Each initiator's session, through iscsistart's own parser (same defaults
// and name checks as the real thing).
SessionConfig initiator_options(const Config &c, int i)
{
    std::vector<std::string> args = {
        "storm",
        "-i", c.name_prefix + ":storm-" + std::to_string(i),
        "-t", c.target,
        "-a", c.host,
        "-p", c.port,
        "-P", "node.conn[0].timeo.login_timeout=" + std::to_string(c.login_timeout_s),
        "-P", "node.session.initial_login_retry_max=" + std::to_string(c.max_attempts),
    };
    std::vector<char *> argv;
    for (auto &s : args)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    return cli::session_config(cli::parse((int)args.size(), argv.data()));
}

// Enough descriptors for N held sessions plus a margin for stdio, popen
// and the library's own files.
bool raise_nofile(rlim_t need)
{
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return false;
    if (r.rlim_cur >= need)
        return true;
    if (r.rlim_max != RLIM_INFINITY && r.rlim_max < need)
        r.rlim_max = need; // works only with CAP_SYS_RESOURCE
    r.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &r) == 0)
        return true;
    fprintf(stderr, "storm: cannot raise RLIMIT_NOFILE to %lu: %s\n", (unsigned long)need, strerror(errno));
    return false;
}

double ms_between(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Milliseconds with 0.1 ms resolution; -1 stays "-1" (no value).
std::string fmt_ms(double ms)
{
    if (ms < 0)
        return "-1";
    char b[32];
    snprintf(b, sizeof b, "%.1f", ms);
    return b;
}

// Nearest-rank percentile of sorted values, -1 when empty.
double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return -1;
    std::size_t rank = (std::size_t)((p / 100.0) * (double)sorted.size() + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > sorted.size())
        rank = sorted.size();
    return sorted[rank - 1];
}

std::string json_str(const std::string &s)
{
    std::string o = "\"";
    for (unsigned char ch : s) {
        if (ch == '"' || ch == '\\') {
            o += '\\';
            o += (char)ch;
        } else if (ch < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", ch);
            o += b;
        } else {
            o += (char)ch;
        }
    }
    return o + "\"";
}

// /bin/sh -c cmd, waited for; the exit status, or -1 with errno-like text.
int run_shell(const std::string &cmd, std::string &why)
{
    const char *argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char **>(argv), environ);
    if (rc != 0) {
        why = std::string("posix_spawn: ") + strerror(rc);
        return -1;
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            why = std::string("waitpid: ") + strerror(errno);
            return -1;
        }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    why = "killed by signal " + std::to_string(WTERMSIG(st));
    return -1;
}

// One initiator: attempts until success, a final error, the attempt limit,
// or the run deadline.
void run_initiator(const Config &c, const SessionConfig &o, int index, std::latch &ready, std::latch &go,
                   const Clock::time_point &t0, const Clock::time_point &deadline, Outcome &out)
{
    std::mt19937_64 rng(std::random_device{}() ^ ((uint64_t)index << 32));
    std::uniform_real_distribution<double> unit_dist(0.0, 1.0);
    pdu::Isid isid{};
    uint64_t r = rng();
    isid[0] = 0x80; // T = 10b: random ISID (RFC 7143 11.12.5)
    for (int k = 1; k < 6; ++k)
        isid[k] = (uint8_t)(r >> (8 * k));

    ready.count_down();
    go.wait();

    for (int attempt = 1;; ++attempt) {
        if (Clock::now() >= deadline) {
            out.final_error = "run deadline reached before attempt " + std::to_string(attempt);
            return;
        }
        out.attempts = attempt;
        try {
            out.session.emplace(login_once(o, isid, 1));
            out.ok = true;
            out.ms = ms_between(t0, Clock::now());
            return;
        } catch (const Error &e) {
            if (auto *st = dynamic_cast<const LoginStatusError *>(&e); st && st->target_busy())
                out.busy++;
            if (!e.retryable()) {
                out.final_error = std::string("not retryable: ") + e.what();
                return;
            }
            if (attempt >= c.max_attempts) {
                out.final_error = std::string("attempts exhausted, last: ") + e.what();
                return;
            }
            out.retry_reasons.push_back(e.what());
        } catch (const std::exception &e) {
            out.final_error = std::string("unexpected: ") + e.what();
            return;
        }
        double unit = c.jitter ? unit_dist(rng) : 0.5;
        auto wake = Clock::now() + std::chrono::milliseconds(backoff_ms(attempt, unit, c.base_ms, c.cap_ms));
        std::this_thread::sleep_until(std::min(wake, deadline));
    }
}

} // namespace

int main(int argc, char **argv)
{
    Config c = parse_args(argc, argv);

    // Messages of our own keep the original stderr; the library logs one
    // line per connection, which --lib-log sends elsewhere.
    int err_fd = dup(STDERR_FILENO);
    FILE *err = err_fd >= 0 ? fdopen(err_fd, "w") : stderr;
    if (!c.lib_log.empty()) {
        int fd = open(c.lib_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
            fprintf(err, "storm: --lib-log %s: %s\n", c.lib_log.c_str(), strerror(errno));
            return 2;
        }
        close(fd);
    }

    if (!raise_nofile((rlim_t)c.n + 64))
        return 2;

    std::vector<SessionConfig> opts;
    opts.reserve(c.n);
    try {
        for (int i = 0; i < c.n; ++i)
            opts.push_back(initiator_options(c, i));
    } catch (const Error &e) {
        fprintf(err, "storm: bad initiator options: %s\n", e.what());
        return 2;
    }

    std::vector<Outcome> out(c.n);
    std::latch ready(c.n), go(1);
    Clock::time_point t0{}, deadline{}; // set at the release

    std::mutex mu;
    std::condition_variable cv;
    int finished = 0;

    std::vector<std::thread> threads;
    threads.reserve(c.n);
    try {
        for (int i = 0; i < c.n; ++i)
            threads.emplace_back([&, i] {
                run_initiator(c, opts[i], i, ready, go, t0, deadline, out[i]);
                std::lock_guard<std::mutex> lk(mu);
                ++finished;
                cv.notify_one();
            });
    } catch (const std::system_error &e) {
        fprintf(err, "storm: cannot start thread %zu of %d: %s\n", threads.size() + 1, c.n, e.what());
        _exit(2); // threads already started wait on a latch that never opens
    }

    ready.wait();
    t0 = Clock::now();
    deadline = t0 + std::chrono::seconds(c.run_timeout_s);
    go.count_down(); // the latch orders these writes before every wait() returns

    // The late target: open it at release + at_ms, on this thread (the
    // initiators are already running; nothing else here needs the time).
    double up_from_ms = -1, up_ms = -1;
    if (c.at_ms >= 0) {
        std::this_thread::sleep_until(t0 + std::chrono::milliseconds(c.at_ms));
        up_from_ms = ms_between(t0, Clock::now());
        std::string why;
        int rc = run_shell(c.exec_cmd, why);
        up_ms = ms_between(t0, Clock::now());
        if (rc != 0) {
            fprintf(err, "storm: --exec at %s ms: %s\n", fmt_ms(up_from_ms).c_str(),
                    rc < 0 ? why.c_str() : ("exit status " + std::to_string(rc)).c_str());
            fflush(nullptr);
            _exit(2); // the initiators would only run into their attempt limits
        }
    }

    {
        std::unique_lock<std::mutex> lk(mu);
        // Every attempt ends within login_timeout; allow that plus slack
        // after the run deadline before giving up on a thread.
        auto give_up = deadline + std::chrono::seconds(c.login_timeout_s + 10);
        if (!cv.wait_until(lk, give_up, [&] { return finished == c.n; })) {
            fprintf(err, "storm: watchdog: %d of %d initiators still running %s ms after the release\n",
                    c.n - finished, c.n, fmt_ms(ms_between(t0, Clock::now())).c_str());
            fflush(nullptr);
            _exit(3);
        }
    }
    for (auto &t : threads)
        t.join();
    const double done_ms = ms_between(t0, Clock::now());

    // All sessions are open now: ask the target how many it holds.
    long held = -1;
    if (!c.count_cmd.empty()) {
        fflush(nullptr);
        if (FILE *p = popen(c.count_cmd.c_str(), "r")) {
            if (fscanf(p, "%ld", &held) != 1)
                held = -1;
            pclose(p);
        }
    }

    std::vector<double> times;
    double all_ms = -1;
    int ok = 0, retried = 0, retries = 0, failed = 0;
    std::map<std::string, int> retry_reasons, fail_reasons;
    int max_attempts_seen = 0;
    // Busy refusals (0301/0302): in all, per initiator (sorted), initiators refused at least once.
    long refused = 0;
    int refused_initiators = 0;
    std::vector<double> refused_per;
    for (auto &o : out) {
        max_attempts_seen = std::max(max_attempts_seen, o.attempts);
        refused += o.busy;
        refused_initiators += o.busy > 0;
        refused_per.push_back(o.busy);
        retries += (int)o.retry_reasons.size();
        if (!o.retry_reasons.empty())
            retried++;
        for (auto &r : o.retry_reasons)
            retry_reasons[r]++;
        if (o.ok) {
            ok++;
            times.push_back(o.ms);
            all_ms = std::max(all_ms, o.ms);
        } else {
            failed++;
            fail_reasons[o.final_error]++;
        }
    }
    std::sort(times.begin(), times.end());
    std::sort(refused_per.begin(), refused_per.end());
    const double first_ms = times.empty() ? -1 : times.front();

    // Close every session (the target sees the connections drop).
    auto tc = Clock::now();
    for (auto &o : out)
        o.session.reset();
    const double close_ms = ms_between(tc, Clock::now());

    // all_ms is the time to the last success; when someone never logged
    // in there is no "all logged in" time: report -1 then.
    const std::string all_logged_in = fmt_ms(failed ? -1 : all_ms), median = fmt_ms(percentile(times, 50)),
                      p95 = fmt_ms(percentile(times, 95)), max = fmt_ms(all_ms), done = fmt_ms(done_ms),
                      closed = fmt_ms(close_ms), first = fmt_ms(first_ms), up_from = fmt_ms(up_from_ms),
                      up = fmt_ms(up_ms), after_up = fmt_ms(failed || up_ms < 0 ? -1 : all_ms - up_ms);
    printf("storm: n=%d jitter=%s all_ms=%s median_ms=%s p95_ms=%s max_ms=%s ok=%d retried=%d retries=%d "
           "failed=%d held=%ld max_attempts=%d done_ms=%s close_ms=%s first_ms=%s up_from_ms=%s up_ms=%s "
           "after_up_ms=%s refused=%ld refused_initiators=%d refused_p50=%.0f refused_p95=%.0f refused_max=%.0f\n",
           c.n, c.jitter ? "on" : "off", all_logged_in.c_str(), median.c_str(), p95.c_str(), max.c_str(), ok,
           retried, retries, failed, held, max_attempts_seen, done.c_str(), closed.c_str(), first.c_str(),
           up_from.c_str(), up.c_str(), after_up.c_str(), refused, refused_initiators, percentile(refused_per, 50),
           percentile(refused_per, 95), refused_per.back());
    for (auto &[why, k] : retry_reasons)
        printf("storm: reason retried x%d: %s\n", k, why.c_str());
    for (auto &[why, k] : fail_reasons)
        printf("storm: reason failed x%d: %s\n", k, why.c_str());
    if (c.json) {
        printf("{\"n\":%d,\"jitter\":%s,\"all_ms\":%s,\"median_ms\":%s,\"p95_ms\":%s,\"max_ms\":%s,\"ok\":%d,"
               "\"retried\":%d,\"retries\":%d,\"failed\":%d,\"held\":%ld,\"max_attempts\":%d,\"done_ms\":%s,"
               "\"close_ms\":%s,\"first_ms\":%s,\"up_from_ms\":%s,\"up_ms\":%s,\"after_up_ms\":%s,"
               "\"refused\":%ld,\"refused_initiators\":%d,\"refused_p50\":%.0f,\"refused_p95\":%.0f,"
               "\"refused_max\":%.0f,\"retry_reasons\":{",
               c.n, c.jitter ? "true" : "false", all_logged_in.c_str(), median.c_str(), p95.c_str(), max.c_str(), ok,
               retried, retries, failed, held, max_attempts_seen, done.c_str(), closed.c_str(), first.c_str(),
               up_from.c_str(), up.c_str(), after_up.c_str(), refused, refused_initiators,
               percentile(refused_per, 50), percentile(refused_per, 95), refused_per.back());
        const char *sep = "";
        for (auto &[why, k] : retry_reasons) {
            printf("%s%s:%d", sep, json_str(why).c_str(), k);
            sep = ",";
        }
        printf("},\"fail_reasons\":{");
        sep = "";
        for (auto &[why, k] : fail_reasons) {
            printf("%s%s:%d", sep, json_str(why).c_str(), k);
            sep = ",";
        }
        printf("}}\n");
    }
    fflush(stdout);
    return 0;
}
