// TCP to the target portal: resolve, connect with a deadline, and move
// whole iSCSI PDUs with a deadline. No protocol knowledge beyond framing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
/// address in turn, within `timeout_ms` milliseconds in total.
/// Throws isr::Error: ISCSI_ERR_TRANS_TIMEOUT (8) on timeout,
/// ISCSI_ERR_TRANS (4) on refusal, no route or a name that does not resolve.
Socket connect_portal(const std::string &host, uint16_t port, int timeout_ms);

/// Send all of `hdr` then `data` plus zero padding to a multiple of 4
/// bytes. Throws isr::Error(ISCSI_ERR_TRANS) on failure.
void send_pdu(const Socket &s, const uint8_t *hdr, std::size_t hdr_len, const std::vector<uint8_t> &data,
              int timeout_ms);

/// Receive one PDU: 48-byte BHS, AHS (skipped), data segment of at most
/// `max_data` bytes (padding consumed). Returns the data without padding.
/// Throws isr::Error: ISCSI_ERR_PDU_TIMEOUT (11) when nothing complete
/// arrives in `timeout_ms`, ISCSI_ERR_TRANS (4) when the target closes the
/// connection, ISCSI_ERR_LOGIN (5) when the data segment is over `max_data`.
std::vector<uint8_t> recv_pdu(const Socket &s, uint8_t bhs[48], std::size_t max_data, int timeout_ms);

} // namespace isr::net
