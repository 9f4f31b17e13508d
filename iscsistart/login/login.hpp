// The login phase as a pure state machine (RFC 7143 sections 6.3, 12.1.3):
// it builds each Login Request and consumes each Login Response, doing no
// I/O, so it can be unit-tested and fuzzed. The caller moves the bytes.
#pragma once

#include "chap.hpp"
#include "params.hpp"
#include "pdu.hpp"
#include "text_keys.hpp"
#include "crypto/crypto.hpp"
#include "util/errors.hpp"

#include <functional>
#include <string>
#include <vector>

namespace isr {

/// A portal to connect to: host name or address, and TCP port.
struct Portal {
    std::string host;
    uint16_t port = 3260;
};

/// Parse a TargetAddress value "host[:port][,tpgt]" (IPv6 in brackets,
/// RFC 7143 section 13.8). Throws isr::Error(ISCSI_ERR_LOGIN) when malformed.
Portal parse_target_address(std::string_view v);

/// "HOST:PORT" for logs, an IPv6 address in brackets (unless it has them
/// already): the other way round from parse_target_address.
std::string portal_text(const std::string &host, int port);

/// A login the target ended with a Status-Class of 2 (initiator error) or
/// 3 (target error), RFC 7143 11.13.5; the code and retry flag are as
/// Login::on_response says. The status stays readable so callers can
/// count the target's refusals.
class LoginStatusError : public Error {
public:
    LoginStatusError(int code, const std::string &msg, Retry retry, uint8_t status_class, uint8_t status_detail)
        : Error(code, msg, retry), class_(status_class), detail_(status_detail)
    {
    }
    uint8_t status_class() const noexcept { return class_; }
    uint8_t status_detail() const noexcept { return detail_; }
    /// The target turned the login away for lack of capacity: 0301
    /// "service unavailable" or 0302 "out of resources", which RFC 7143
    /// 11.13.5 says to retry later (a boot storm above the target's limit).
    bool target_busy() const noexcept { return class_ == 3 && (detail_ == 1 || detail_ == 2); }

private:
    uint8_t class_, detail_;
};

/// With cfg.session_type == SessionType::DISCOVERY the same machine logs
/// in a discovery session (RFC 7143 section 4.3, 13.21): SessionType=
/// Discovery without TargetName, the same CHAP steps, and of the
/// operational keys only HeaderDigest, DataDigest, MaxRecvDataSegmentLength,
/// DefaultTime2Wait, DefaultTime2Retain and ErrorRecoveryLevel.
class Login {
public:
    /// Source of unpredictable bytes for our mutual-CHAP challenge (tests
    /// inject one).
    using RandomFn = std::function<chap::Bytes(std::size_t)>;

    /// `isid`: the session's ISID; `cmdsn`: the CmdSN carried by every login
    /// request (it is also the session's first CmdSN, RFC 7143 11.12.7).
    Login(const LoginConfig &cfg, const pdu::Isid &isid, uint32_t cmdsn, RandomFn rnd = chap::challenge_bytes);

    struct Request {
        std::array<uint8_t, pdu::BHS_LEN> bhs;
        std::vector<uint8_t> data;   // unpadded data segment
        text::KeyList keys;          // the same keys, for traces
    };

    /// The next Login Request to send. Valid while state() == SENDING.
    Request next_request();

    enum class Outcome { CONTINUE, DONE, REDIRECT };

    /// Consume one Login Response (BHS plus its unpadded data segment).
    /// DONE: full-feature phase reached, see negotiated(). REDIRECT: connect
    /// to redirect() and start over. Throws isr::Error with the exit code:
    /// ISCSI_ERR_LOGIN_AUTH_FAILED (24) for authentication failures on
    /// either side, ISCSI_ERR_FATAL_LOGIN (19) for other initiator errors,
    /// ISCSI_ERR_LOGIN (5) for target errors (retryable) and protocol
    /// violations (e.g. T set in a reply to a request with T=0, RFC 7143
    /// 11.13.1). A status of class 2 or 3 is thrown as LoginStatusError.
    /// Keys the target starts in any stage, the security stage
    /// and CHAP included, are answered in the next request: negotiated,
    /// Reject for the obsolete marker keys (13.25), NotUnderstood for
    /// unknown and X-/X# keys (6.2); they are not offered again later.
    Outcome on_response(const pdu::LoginResponse &rsp, const uint8_t *data, std::size_t len);

    /// Log in to an existing session: send `tsih` (the target's handle of
    /// it) instead of 0, for connection reinstatement after a failure
    /// (RFC 7143 6.3.4). Call before the first next_request().
    void set_tsih(uint16_t tsih) { tsih_ = tsih; }

    const Negotiated &negotiated() const { return neg_; }
    const Portal &redirect() const { return redirect_; }
    /// Response keys of the last PDU (for debug traces).
    const text::KeyList &last_keys() const { return last_keys_; }

private:
    enum class Step { START, CHAP_A, CHAP_RESPONSE, SEC_TRANSIT, OPERATIONAL, DONE };

    text::KeyList security_keys();
    void check_chap_challenge(const text::KeyList &keys);
    void verify_target_response(const text::KeyList &keys);
    void fold_operational(const text::KeyList &keys);
    void fold_security(const text::KeyList &keys);
    text::KeyList operational_offer() const;

    const LoginConfig &cfg_;
    pdu::Isid isid_;
    uint32_t cmdsn_;
    RandomFn rnd_;
    Step step_ = Step::START;
    uint8_t stage_ = pdu::SECURITY;
    bool first_ = true;
    bool want_continue_ = false;      // target set C: ask for the rest
    std::vector<uint8_t> partial_;    // data of responses with C set
    uint32_t exp_statsn_ = 0;
    uint16_t tsih_ = 0;
    int chap_alg_ = 0;
    uint8_t chap_id_ = 0;
    chap::Bytes target_challenge_;
    chap::Bytes our_challenge_;
    uint8_t our_id_ = 0;
    bool op_offered_ = false;
    bool sent_transit_ = false;       // T bit of our last request
    int exchanges_ = 0;
    text::KeyList answers_;           // answers owed to target-started keys
    std::vector<std::string> settled_; // keys the target started (never offered again)
    text::KeyList last_keys_;
    Negotiated neg_;
    Portal redirect_;
};

} // namespace isr
