#include "client.hpp"
#include "crypto/crypto.hpp"

#include "util/backoff.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/clock.hpp"

#include <algorithm>

namespace isr {
namespace {

constexpr int MAX_REDIRECTS = 8;
// Login responses carry only text keys; anything bigger is hostile.
constexpr std::size_t MAX_LOGIN_DATA = 64 * 1024;

} // namespace

pdu::Isid random_isid()
{
    // unique, not secret (crypto::unique_bytes): never waits for the crng
    auto r = crypto::unique_bytes(3);
    return {0x80, r[0], r[1], r[2], 0x00, 0x00};
}

double jitter_unit()
{
    auto b = crypto::unique_bytes(2);
    return (b[0] << 8 | b[1]) / 65536.0;
}

LoginResult login_once(const SessionConfig &o, const pdu::Isid &isid, uint32_t cmdsn, uint16_t tsih)
{
    Portal portal = o.portal;
    // Offer only the CHAP algorithms this binary's crypto can compute.
    LoginConfig login_cfg = o.login;
    if (login_cfg.auth.chap())
        login_cfg.auth.chap_algs = chap::usable_algorithms(login_cfg.auth.chap_algs);
    int timeout_ms = o.session.login_timeout_s * 1000;
    for (int redirects = 0;; ++redirects) {
        // login_timeout bounds each connection's whole login, connect
        // included (as open-iscsi's login timer): a target that answers
        // every PDU just in time cannot stretch an attempt.
        const long deadline = monotonic_ms() + timeout_ms;
        net::Socket sock = net::connect_portal(portal.host, portal.port, timeout_ms, o.netdev);
        log::info("connected to %s", sock.peer().c_str());
        Login login(login_cfg, isid, cmdsn);
        login.set_tsih(tsih);
        auto too_slow = [&] {
            return Error(ISCSI_ERR_PDU_TIMEOUT, "login: " + sock.peer() + " did not complete the login within " +
                                                    std::to_string(o.session.login_timeout_s) +
                                                    " s (node.conn[0].timeo.login_timeout)", Retry::YES);
        };
        for (int answered = 0;; ++answered) {
            auto req = login.next_request();
            if (log::level() >= 1)
                log::debug(1, "login request: %s", text::describe(req.keys).c_str());
            long left = deadline - monotonic_ms();
            if (left <= 0)
                throw too_slow();
            pdu::send_pdu(sock, req.bhs.data(), req.bhs.size(), req.data, (int)left);
            uint8_t bhs[pdu::BHS_LEN];
            std::vector<uint8_t> data;
            try {
                data = pdu::recv_pdu(sock, bhs, MAX_LOGIN_DATA, (int)std::max(1L, deadline - monotonic_ms()));
            } catch (const Error &e) {
                // A target that answered before but ran out the clock.
                if (e.code() == ISCSI_ERR_PDU_TIMEOUT && answered > 0)
                    throw too_slow();
                throw;
            }
            auto rsp = pdu::decode_login_response(bhs);
            auto outcome = login.on_response(rsp, data.data(), data.size());
            if (log::level() >= 1)
                log::debug(1, "login response: stage %u->%u%s status %02x%02x: %s", rsp.csg, rsp.nsg,
                           rsp.transit ? " T" : "", rsp.status_class, rsp.status_detail,
                           text::describe(login.last_keys()).c_str());
            if (outcome == Login::Outcome::DONE)
                return {std::move(sock), login.negotiated(), portal};
            if (outcome == Login::Outcome::REDIRECT) {
                if (redirects >= MAX_REDIRECTS)
                    throw Error(ISCSI_ERR_LOGIN, "login: more than " + std::to_string(MAX_REDIRECTS) + " redirects");
                portal = login.redirect();
                log::info("redirected to %s:%u", portal.host.c_str(), portal.port);
                break;
            }
        }
    }
}

LoginResult login_with_retries(const SessionConfig &o, const pdu::Isid &isid, uint32_t cmdsn, LoginAttempts *stats)
{
    int tries = o.session.initial_login_retry_max < 1 ? 1 : o.session.initial_login_retry_max;
    LoginAttempts local;
    LoginAttempts &st = stats ? *stats : local;
    st = {};
    for (int attempt = 1;; ++attempt) {
        st.attempts = attempt;
        try {
            LoginResult r = login_once(o, isid, cmdsn);
            if (st.busy)
                log::info("logged in at attempt %d/%d; the target was busy (0301/0302) at %d of the attempts before",
                          attempt, tries, st.busy);
            return r;
        } catch (const Error &e) {
            if (auto *s = dynamic_cast<const LoginStatusError *>(&e); s && s->target_busy())
                st.busy++;
            if (!e.retryable() || attempt >= tries)
                throw;
            int delay = backoff_ms(attempt, jitter_unit());
            log::info("attempt %d/%d failed: %s; retrying in %d ms", attempt, tries, e.what(), delay);
            sleep_ms(delay);
        }
    }
}

} // namespace isr
