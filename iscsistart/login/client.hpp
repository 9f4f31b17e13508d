// The login's I/O driver, beside the pure state machine it drives
// (login.hpp): connect to the portal, run the Login over the socket with
// pdu_io's framing, follow redirects, retry with backoff. The only file of
// login/ besides pdu_io that does I/O.
#pragma once

#include "../net/tcp.hpp"
#include "config.hpp"
#include "login.hpp"
#include "pdu_io.hpp"

namespace isr {

struct LoginResult {
    net::Socket sock; // connected, in full-feature phase
    Negotiated neg;
    Portal portal;    // where we ended up after redirects
};

/// One attempt: connect and log in, following up to 8 redirects;
/// node.conn[0].timeo.login_timeout bounds each connection's whole login
/// (connect and all exchanges).
/// Throws isr::Error with the exit code of the failure.
/// `tsih` != 0: a re-login into that existing session (see Login::set_tsih).
LoginResult login_once(const SessionConfig &o, const pdu::Isid &isid, uint32_t cmdsn, uint16_t tsih = 0);

/// A new session's ISID (RFC 7143 11.12.5): type T=10b (Random), A 0,
/// its B and C fields from crypto::unique_bytes (3 bytes: unique, not
/// secret, and never waiting for the kernel's crng), qualifier D 0.
pdu::Isid random_isid();

/// A random number in [0, 1) from crypto::unique_bytes (16 bits), the
/// `unit` of backoff_ms that spreads the retries of many initiators.
double jitter_unit();

/// What login_with_retries went through, for its log line and callers.
struct LoginAttempts {
    int attempts = 0; // connections tried, the last one included
    int busy = 0;     // of them refused with 0301/0302 (LoginStatusError::target_busy)
};

/// Up to node.session.initial_login_retry_max attempts, with capped
/// exponential backoff and jitter between them. Connection failures,
/// timeouts and target errors (status class 3, 0301 "service unavailable"
/// and 0302 "out of resources" of a busy target among them) are retried;
/// initiator errors such as an authentication failure (24) end at once.
/// `stats`, when given, is filled in whether the login succeeds or throws.
LoginResult login_with_retries(const SessionConfig &o, const pdu::Isid &isid, uint32_t cmdsn,
                               LoginAttempts *stats = nullptr);

} // namespace isr
