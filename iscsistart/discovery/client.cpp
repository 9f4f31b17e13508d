// The discovery session's I/O: login_once() for the login (redirects,
// CHAP, login timeout), then the SendTargetsExchange and a Logout over the
// same socket with pdu_io's framing.
#include "discovery.hpp"

#include "../login/client.hpp"
#include "../login/config.hpp"
#include "../login/pdu_io.hpp"
#include "util/backoff.hpp"
#include "util/clock.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <optional>

namespace isr::discovery {
namespace {

constexpr uint32_t INITIAL_CMDSN = 1;
constexpr uint32_t TEXT_ITT = 1; // the login used ITT 0
constexpr uint32_t LOGOUT_ITT = 2;

SessionConfig login_config(const DiscoveryConfig &cfg)
{
    SessionConfig s;
    s.login.initiator_name = cfg.initiator_name;
    s.login.initiator_alias = cfg.initiator_alias;
    s.login.session_type = SessionType::DISCOVERY;
    s.login.auth = cfg.auth;
    s.login.op.max_recv_dlength = cfg.max_recv_dlength;
    s.login.op.header_digest = "None"; // pdu_io computes no digests
    s.login.op.data_digest = "None";
    s.portal = cfg.portal;
    s.session.login_timeout_s = cfg.login_timeout_s;
    return s;
}

// The Logout (reason 0, close the session) and its response. A target that
// closes the connection instead has ended the session too: only logged.
void logout(const net::Socket &sock, uint32_t cmdsn, uint32_t exp_statsn, int timeout_ms)
{
    pdu::LogoutRequest lr;
    lr.itt = LOGOUT_ITT;
    lr.cmdsn = cmdsn;
    lr.exp_statsn = exp_statsn;
    auto bhs = pdu::encode_logout_request(lr);
    try {
        pdu::send_pdu(sock, bhs.data(), bhs.size(), {}, timeout_ms);
        uint8_t rsp_bhs[pdu::BHS_LEN];
        pdu::recv_pdu(sock, rsp_bhs, 8192, timeout_ms);
        auto rsp = pdu::decode_logout_response(rsp_bhs);
        if (rsp.itt != LOGOUT_ITT || rsp.response != 0)
            log::info("discovery: logout from %s answered response %u", sock.peer().c_str(), rsp.response);
    } catch (const Error &e) {
        log::debug(1, "discovery: logout: %s", e.what());
    }
}

std::vector<Record> discover_once(const DiscoveryConfig &cfg, const pdu::Isid &isid)
{
    LoginResult lr = login_once(login_config(cfg), isid, INITIAL_CMDSN);
    const int timeout_ms = cfg.reply_timeout_s * 1000;
    // The session's first CmdSN is the login's (RFC 7143 11.12.7).
    SendTargetsExchange ex(TEXT_ITT, INITIAL_CMDSN, lr.neg.exp_statsn, lr.neg.max_recv_dlength);
    while (!ex.done()) {
        auto req = ex.next_request();
        pdu::send_pdu(lr.sock, req.bhs.data(), req.bhs.size(), req.data, timeout_ms);
        uint8_t bhs[pdu::BHS_LEN];
        auto data = pdu::recv_pdu(lr.sock, bhs, lr.neg.max_recv_dlength, timeout_ms);
        auto rsp = pdu::decode_text_response(bhs);
        log::debug(1, "discovery: text response: %zu bytes%s%s ttt 0x%08x", data.size(), rsp.final ? " F" : "",
                   rsp.cont ? " C" : "", rsp.ttt);
        ex.on_response(rsp, data.data(), data.size());
    }
    // Parsed before the logout: a malformed answer still ends the session.
    std::vector<Record> out;
    std::optional<Error> bad;
    try {
        // A target without TargetAddress is reached where we logged in
        // (after redirects: the portal that answered).
        out = parse_send_targets(ex.text().data(), ex.text().size(), lr.portal.host, lr.portal.port);
    } catch (const Error &e) {
        bad = e;
    }
    logout(lr.sock, ex.cmdsn(), ex.exp_statsn(), timeout_ms);
    if (bad)
        throw *bad;
    return out;
}

} // namespace

std::vector<Record> send_targets(const DiscoveryConfig &cfg)
{
    const pdu::Isid isid = random_isid();
    const int tries = 1 + (cfg.reopen_max < 0 ? 0 : cfg.reopen_max);
    for (int attempt = 1;; ++attempt) {
        try {
            return discover_once(cfg, isid);
        } catch (const Error &e) {
            std::string what = e.what();
            if (what.rfind("discovery:", 0) != 0)
                what = "discovery: " + what;
            if (!e.retryable() || attempt >= tries)
                throw Error(e.code(), what, e.retryable() ? Retry::YES : Retry::NO);
            int delay = backoff_ms(attempt, jitter_unit());
            log::info("%s; attempt %d/%d, retrying in %d ms", what.c_str(), attempt, tries, delay);
            sleep_ms(delay);
        }
    }
}

} // namespace isr::discovery
