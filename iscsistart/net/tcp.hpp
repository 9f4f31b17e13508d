// TCP to the target portal: resolve, connect with a deadline, and send or
// receive an exact number of bytes by a deadline. Plain TCP: the iSCSI PDU
// framing on top of it is login/pdu_io.
#pragma once

#include <cstdint>
#include <cstddef>
#include <string>

namespace isr::net {

/// A connected TCP socket; closes on destruction unless released.
class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Socket &operator=(Socket &&o) noexcept;
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    ~Socket();

    int fd() const { return fd_; }
    /// "addr:port" of the peer, for logs.
    std::string peer() const;
    /// Our end's TCP port (getsockname), 0 when unknown.
    uint16_t local_port() const;

private:
    int fd_ = -1;
};

/// Resolve `host` (IPv4, IPv6 or name) and connect to `port`, trying each
/// address in turn, within `timeout_ms` milliseconds in total. A non-empty
/// `netdev` binds the socket to that network interface first
/// (SO_BINDTODEVICE, socket(7); open-iscsi's iface.net_ifacename): the
/// connection then leaves through it whatever the routing table says, and
/// keeps that binding after the kernel's iscsi_tcp has it.
/// Throws isr::Error: ISCSI_ERR_TRANS_TIMEOUT (8) on timeout,
/// ISCSI_ERR_TRANS (4) on refusal, no route, a name that does not resolve
/// or an interface that cannot be bound (named, with the reason).
Socket connect_portal(const std::string &host, uint16_t port, int timeout_ms, const std::string &netdev = "");

/// Send all `len` bytes of `buf` before `deadline` (a monotonic_ms()
/// reading). Returns false when the deadline passes first (some bytes may
/// be sent). Throws isr::Error(ISCSI_ERR_TRANS, "<context>: send to PEER
/// failed: ...") on a socket error.
bool send_all(const Socket &s, const uint8_t *buf, std::size_t len, long deadline, const char *context);

/// Receive exactly `len` bytes into `buf` before `deadline` (a
/// monotonic_ms() reading). Returns the number of bytes received: `len`,
/// or fewer when the deadline passed first. Throws isr::Error
/// (ISCSI_ERR_TRANS, "<context>: PEER closed the connection" or
/// "<context>: receive from PEER failed: ...") when the peer closes the
/// connection or on a socket error.
std::size_t recv_exact(const Socket &s, uint8_t *buf, std::size_t len, long deadline, const char *context);

} // namespace isr::net
