#include "tcp.hpp"

#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/clock.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::net {
namespace {

#ifdef ISR_STATIC
// The static build (make static, musl): musl's resolver has no NSS; it
// reads /etc/hosts and asks the DNS servers of /etc/resolv.conf, nothing
// else. Numeric addresses never reach it.
const char *const RESOLVE_NOTE = " (static build: names are looked up only in /etc/hosts and the DNS servers of "
                                 "/etc/resolv.conf; give the portal as a numeric address)";
#else
const char *const RESOLVE_NOTE = "";
#endif


std::string addr_text(const sockaddr *sa)
{
    char host[INET6_ADDRSTRLEN] = "?";
    uint16_t port = 0;
    if (sa->sa_family == AF_INET) {
        auto *in = reinterpret_cast<const sockaddr_in *>(sa);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        return std::string(host) + ":" + std::to_string(port);
    }
    if (sa->sa_family == AF_INET6) {
        auto *in6 = reinterpret_cast<const sockaddr_in6 *>(sa);
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        return "[" + std::string(host) + "]:" + std::to_string(port);
    }
    return host;
}

// Wait until fd is ready for `events` or the deadline passes.
bool wait_fd(int fd, short events, long deadline)
{
    for (;;) {
        long left = deadline - monotonic_ms();
        if (left <= 0)
            return false;
        pollfd p{fd, events, 0};
        int rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return true;
        if (rc == 0)
            return false;
        if (errno != EINTR)
            return true; // let the following call report the error
    }
}

} // namespace

Socket &Socket::operator=(Socket &&o) noexcept
{
    if (this != &o) {
        if (fd_ >= 0)
            close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

Socket::~Socket()
{
    if (fd_ >= 0)
        close(fd_);
}

uint16_t Socket::local_port() const
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (fd_ < 0 || getsockname(fd_, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&ss)->sin6_port);
    return 0;
}

std::string Socket::peer() const
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(fd_, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return "target";
    return addr_text(reinterpret_cast<sockaddr *>(&ss));
}

Socket connect_portal(const std::string &host, uint16_t port, int timeout_ms, const std::string &netdev)
{
    long deadline = monotonic_ms() + timeout_ms;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *res = nullptr;
    std::string service = std::to_string(port);
    int gai = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    if (gai != 0)
        throw Error(ISCSI_ERR_TRANS, "address: cannot resolve '" + host + "': " + gai_strerror(gai) + RESOLVE_NOTE,
                    Retry::YES);

    std::string last = "no address";
    int last_code = ISCSI_ERR_TRANS;
    for (addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            last = strerror(errno);
            continue;
        }
        Socket s(fd);
        if (!netdev.empty() &&
            setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, netdev.c_str(), (socklen_t)netdev.size()) != 0) {
            freeaddrinfo(res);
            throw Error(ISCSI_ERR_TRANS, "iface.net_ifacename: cannot bind the connection to " + netdev + ": " +
                                             strerror(errno),
                        Retry::YES);
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::string where = addr_text(ai->ai_addr);
        log::debug(1, "connecting to %s", where.c_str());
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno != EINPROGRESS) {
            last = where + ": " + strerror(errno);
            continue;
        }
        if (rc != 0) {
            if (!wait_fd(fd, POLLOUT, deadline)) {
                last = where + ": connect timed out";
                last_code = ISCSI_ERR_TRANS_TIMEOUT;
                continue;
            }
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err != 0) {
                last = where + ": " + strerror(err);
                last_code = ISCSI_ERR_TRANS;
                continue;
            }
        }
        // Back to blocking mode: the kernel's iscsi_tcp takes this socket.
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        freeaddrinfo(res);
        return s;
    }
    freeaddrinfo(res);
    throw Error(last_code, "connect: " + last, Retry::YES);
}

bool send_all(const Socket &s, const uint8_t *buf, std::size_t len, long deadline, const char *context)
{
    std::size_t sent = 0;
    while (sent < len) {
        if (!wait_fd(s.fd(), POLLOUT, deadline))
            return false;
        ssize_t n = send(s.fd(), buf + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw Error(ISCSI_ERR_TRANS, std::string(context) + ": send to " + s.peer() + " failed: " + strerror(errno),
                        Retry::YES);
        }
        sent += (std::size_t)n;
    }
    return true;
}

std::size_t recv_exact(const Socket &s, uint8_t *buf, std::size_t len, long deadline, const char *context)
{
    std::size_t got = 0;
    while (got < len) {
        if (!wait_fd(s.fd(), POLLIN, deadline))
            return got;
        ssize_t n = recv(s.fd(), buf + got, len - got, MSG_DONTWAIT);
        if (n == 0)
            throw Error(ISCSI_ERR_TRANS, std::string(context) + ": " + s.peer() + " closed the connection", Retry::YES);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw Error(ISCSI_ERR_TRANS,
                        std::string(context) + ": receive from " + s.peer() + " failed: " + strerror(errno),
                        Retry::YES);
        }
        got += (std::size_t)n;
    }
    return got;
}

} // namespace isr::net
