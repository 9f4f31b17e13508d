// refusing_target: a scripted iSCSI target for the boot-storm benchmark
// (bench/storm.sh) that refuses bursts. It listens on 127.0.0.1 only,
// lets a no-auth initiator log in (bench/target/responder.hpp) and holds
// the session open until the initiator closes it. At most --limit K logins
// are in progress at once, from the accepted connection to its final Login
// Response; a connection accepted while K are in progress gets status 0301
// "service unavailable" (or 0302 "out of resources", --refuse-status) to
// its first Login Request, and is closed (RFC 7143 11.13.5: retry later).
// Each login step (each Login Response but refusals) is sent --step-ms
// after its request arrived: the target's service time, so that a storm
// really has K logins in progress (storm.sh documents the value it uses).
//
//   refusing_target -t TARGET_IQN [-p PORT] [--limit K] [--step-ms MS]
//                   [--refuse-status 0301|0302] [--stats-port PORT]
// PORT 0 (the default): any free port. Prints "port N stats M" once
// listening. A connection to the stats port (127.0.0.1 too) gets one line
// of counters and is closed:
//   accepted=A admitted=B refused=R peak=P in_progress=I held=H max_held=M completed=C dropped=D
// (peak: most logins in progress at once; held: sessions in full feature
// phase now; dropped: admitted logins whose connection went away or that
// failed before the end). The same line goes to stdout at SIGTERM/SIGINT,
// then it exits 0. Exit 2: usage or setup error.
// One thread, epoll, non-blocking sockets: thousands of connections.
#include "target/admission.hpp"
#include "target/responder.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <netinet/in.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace isr;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t MAX_LOGIN_DATA = 64 * 1024; // a login's text keys; more is junk

struct Config {
    std::string target;
    int port = 0;
    int stats_port = 0;
    int limit = 16;
    int step_ms = 25;
    uint8_t refuse_detail = 1;
};

[[noreturn]] void usage(const std::string &msg)
{
    if (!msg.empty())
        fprintf(stderr, "refusing_target: %s\n", msg.c_str());
    fprintf(stderr, "usage: refusing_target -t TARGET_IQN [-p PORT] [--limit K] [--step-ms MS]\n"
                    "                       [--refuse-status 0301|0302] [--stats-port PORT]\n");
    exit(2);
}

int to_int(const std::string &opt, const char *v, int lo, int hi)
{
    char *end = nullptr;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || !*v || *end || x < lo || x > hi)
        usage(opt + ": '" + v + "' is not a number in " + std::to_string(lo) + ".." + std::to_string(hi));
    return (int)x;
}

Config parse_args(int argc, char **argv)
{
    Config c;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> const char * {
            if (i + 1 >= argc)
                usage(a + " needs a value");
            return argv[++i];
        };
        if (a == "-t" || a == "--target")
            c.target = val();
        else if (a == "-p" || a == "--port")
            c.port = to_int(a, val(), 0, 65535);
        else if (a == "--stats-port")
            c.stats_port = to_int(a, val(), 0, 65535);
        else if (a == "--limit")
            c.limit = to_int(a, val(), 1, 1000000);
        else if (a == "--step-ms")
            c.step_ms = to_int(a, val(), 0, 60000);
        else if (a == "--refuse-status") {
            int d = bench::refusal_detail(val());
            if (d < 0)
                usage("--refuse-status takes 0301 or 0302");
            c.refuse_detail = (uint8_t)d;
        } else
            usage("unknown option " + a);
    }
    if (c.target.empty())
        usage("-t TARGET_IQN is required");
    return c;
}

// A listening socket on 127.0.0.1:port (0: any), non-blocking.
int listen_loopback(int port, int &bound)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    socklen_t sl = sizeof sa;
    // The kernel caps the backlog at net.core.somaxconn (4096 on Debian 12).
    if (bind(s, (sockaddr *)&sa, sizeof sa) != 0 || listen(s, 4096) != 0 || getsockname(s, (sockaddr *)&sa, &sl) != 0) {
        close(s);
        return -1;
    }
    bound = ntohs(sa.sin_port);
    return s;
}

enum class State { READING, WAITING, FULL_FEATURE, CLOSING };

struct Conn {
    int fd = -1;
    bool admitted = false; // counted in Admission until its login ends
    bool login_over = false;
    State state = State::READING;
    std::vector<uint8_t> in, out;
    bench::Reply pending; // the reply waiting for its step time
    bench::Responder responder;
    Conn(int f, bool adm, const std::string &target, uint16_t tsih) : fd(f), admitted(adm), responder(target, tsih) {}
};

class Server {
public:
    Server(const Config &c, int ep, int lfd, int sfd) : c_(c), ep_(ep), lfd_(lfd), sfd_(sfd), adm_(c.limit) {}

    std::string stats() const
    {
        char b[256];
        snprintf(b, sizeof b,
                 "accepted=%llu admitted=%llu refused=%llu peak=%d in_progress=%d held=%d max_held=%d completed=%llu "
                 "dropped=%llu\n",
                 (unsigned long long)accepted_, (unsigned long long)adm_.admitted(),
                 (unsigned long long)adm_.refused(), adm_.peak(), adm_.in_progress(), held_, max_held_,
                 (unsigned long long)completed_, (unsigned long long)dropped_);
        return b;
    }

    // Milliseconds until the next due reply, -1: none.
    int timeout_ms() const
    {
        if (timers_.empty())
            return -1;
        auto d = std::chrono::duration_cast<std::chrono::milliseconds>(timers_.front().first - Clock::now()).count();
        return d < 0 ? 0 : (int)d + 1;
    }

    void on_event(uint64_t id, uint32_t ev)
    {
        if (id == LISTEN_ID)
            return accept_all();
        if (id == STATS_ID)
            return serve_stats();
        auto it = conns_.find(id);
        if (it == conns_.end())
            return;
        Conn &k = it->second;
        if (ev & EPOLLOUT)
            flush(id, k);
        if (conns_.count(id) && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            read_some(id, k);
    }

    // Send the replies whose step time has come.
    void run_timers()
    {
        auto now = Clock::now();
        while (!timers_.empty() && timers_.front().first <= now) {
            uint64_t id = timers_.front().second;
            timers_.pop_front();
            auto it = conns_.find(id);
            if (it == conns_.end() || it->second.state != State::WAITING)
                continue; // gone meanwhile
            Conn &k = it->second;
            bench::Reply r = std::move(k.pending);
            if (r.done || r.close)
                end_login(k, r.done);
            if (r.done) {
                k.state = State::FULL_FEATURE;
                if (++held_ > max_held_)
                    max_held_ = held_;
            } else {
                k.state = r.close ? State::CLOSING : State::READING;
            }
            send_bytes(id, k, r.bytes);
            if (conns_.count(id) && k.state == State::READING)
                parse(id, k);
        }
    }

private:
    static constexpr uint64_t LISTEN_ID = 1, STATS_ID = 2;

    void end_login(Conn &k, bool completed)
    {
        if (k.login_over)
            return;
        k.login_over = true;
        if (!k.admitted)
            return;
        adm_.finish();
        if (completed)
            ++completed_;
        else
            ++dropped_;
    }

    void drop(uint64_t id, Conn &k)
    {
        end_login(k, false);
        if (k.state == State::FULL_FEATURE)
            --held_;
        close(k.fd); // also leaves the epoll set
        conns_.erase(id);
    }

    void accept_all()
    {
        for (;;) {
            int fd = accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                    fprintf(stderr, "refusing_target: accept: %s\n", strerror(errno));
                return; // EMFILE and the like: the connection waits in the backlog
            }
            ++accepted_;
            uint64_t id = next_id_++;
            uint16_t tsih = (uint16_t)(id % 65535 + 1);
            auto [it, _] = conns_.try_emplace(id, fd, adm_.admit(), c_.target, tsih);
            epoll_event e{};
            e.events = EPOLLIN;
            e.data.u64 = id;
            if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e) != 0) {
                fprintf(stderr, "refusing_target: epoll_ctl: %s\n", strerror(errno));
                drop(id, it->second);
            }
        }
    }

    void serve_stats()
    {
        for (;;) {
            int fd = accept4(sfd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                return;
            std::string s = stats();
            (void)!send(fd, s.data(), s.size(), MSG_NOSIGNAL); // one short line: fits the socket buffer
            close(fd);
        }
    }

    void read_some(uint64_t id, Conn &k)
    {
        uint8_t buf[16384];
        ssize_t n = recv(k.fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return drop(id, k);
        if (n < 0)
            return;
        if (k.state == State::FULL_FEATURE || k.state == State::CLOSING)
            return; // nothing after the login is looked at
        k.in.insert(k.in.end(), buf, buf + n);
        if (k.state == State::READING)
            parse(id, k);
    }

    // One complete Login Request from k.in, answered (refusal at once, a
    // login step after step_ms).
    void parse(uint64_t id, Conn &k)
    {
        if (k.in.size() < pdu::BHS_LEN)
            return;
        std::size_t ahs = (std::size_t)pdu::total_ahs_length(k.in.data()) * 4;
        std::size_t dlen = pdu::data_segment_length(k.in.data());
        if (dlen > MAX_LOGIN_DATA)
            return drop(id, k);
        std::size_t total = pdu::BHS_LEN + ahs + dlen + pdu::pad_len(dlen);
        if (k.in.size() < total)
            return;
        const uint8_t *bhs = k.in.data();
        if (!k.admitted) {
            bench::Reply r = bench::Responder::refusal(bhs, c_.refuse_detail);
            k.in.clear();
            k.login_over = true;
            k.state = State::CLOSING;
            return send_bytes(id, k, r.bytes);
        }
        k.pending = k.responder.on_request(bhs, bhs + pdu::BHS_LEN + ahs, dlen);
        k.in.erase(k.in.begin(), k.in.begin() + (std::ptrdiff_t)total);
        k.state = State::WAITING;
        timers_.emplace_back(Clock::now() + std::chrono::milliseconds(c_.step_ms), id);
    }

    void send_bytes(uint64_t id, Conn &k, const std::vector<uint8_t> &b)
    {
        k.out.insert(k.out.end(), b.begin(), b.end());
        flush(id, k);
    }

    void flush(uint64_t id, Conn &k)
    {
        while (!k.out.empty()) {
            ssize_t w = send(k.fd, k.out.data(), k.out.size(), MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                epoll_event e{};
                e.events = EPOLLIN | EPOLLOUT;
                e.data.u64 = id;
                epoll_ctl(ep_, EPOLL_CTL_MOD, k.fd, &e);
                return;
            }
            if (w < 0)
                return drop(id, k);
            k.out.erase(k.out.begin(), k.out.begin() + w);
        }
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u64 = id;
        epoll_ctl(ep_, EPOLL_CTL_MOD, k.fd, &e);
        if (k.state == State::CLOSING)
            drop(id, k); // all sent and nothing unread: the initiator sees FIN after the reply
    }

    const Config &c_;
    int ep_, lfd_, sfd_;
    bench::Admission adm_;
    std::map<uint64_t, Conn> conns_;
    std::deque<std::pair<Clock::time_point, uint64_t>> timers_; // due times in order (one step_ms for all)
    uint64_t next_id_ = 16;
    uint64_t accepted_ = 0, completed_ = 0, dropped_ = 0;
    int held_ = 0, max_held_ = 0;
};

} // namespace

int main(int argc, char **argv)
{
    Config c = parse_args(argc, argv);

    // Descriptors for every connection of the largest storm (1000 held
    // sessions plus refused ones closing): as many as the hard limit allows.
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }

    int port = 0, stats_port = 0;
    int lfd = listen_loopback(c.port, port);
    if (lfd < 0) {
        fprintf(stderr, "refusing_target: cannot listen on 127.0.0.1:%d: %s\n", c.port, strerror(errno));
        return 2;
    }
    int sfd = listen_loopback(c.stats_port, stats_port);
    if (sfd < 0) {
        fprintf(stderr, "refusing_target: cannot listen on 127.0.0.1:%d (stats): %s\n", c.stats_port,
                strerror(errno));
        return 2;
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, nullptr);
    int sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (sigfd < 0 || ep < 0) {
        fprintf(stderr, "refusing_target: signalfd/epoll: %s\n", strerror(errno));
        return 2;
    }
    Server srv(c, ep, lfd, sfd);
    const uint64_t ids[] = {1, 2, 3}; // listen, stats, signals
    const int fds[] = {lfd, sfd, sigfd};
    for (int i = 0; i < 3; ++i) {
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u64 = ids[i];
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) != 0) {
            fprintf(stderr, "refusing_target: epoll_ctl: %s\n", strerror(errno));
            return 2;
        }
    }
    printf("port %d stats %d\n", port, stats_port);
    fflush(stdout);

    std::vector<epoll_event> evs(256);
    for (;;) {
        int n = epoll_wait(ep, evs.data(), (int)evs.size(), srv.timeout_ms());
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "refusing_target: epoll_wait: %s\n", strerror(errno));
            return 2;
        }
        for (int i = 0; i < n; ++i) {
            if (evs[i].data.u64 == 3) {
                fputs(("refusing_target: " + srv.stats()).c_str(), stdout);
                fflush(stdout);
                return 0;
            }
            srv.on_event(evs[i].data.u64, evs[i].events);
        }
        srv.run_timers();
    }
}
