#include "login_client.hpp"

#include "util/backoff.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <time.h>

namespace isr {
namespace {

constexpr int MAX_REDIRECTS = 8;
// Login responses carry only text keys; anything bigger is hostile.
constexpr std::size_t MAX_LOGIN_DATA = 64 * 1024;

void sleep_ms(int ms)
{
    timespec ts{ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

double jitter_unit()
{
    auto b = chap::random_bytes(2);
    return (b[0] << 8 | b[1]) / 65536.0;
}


// One attempt: connect, then run the login state machine to the end,
// following redirects.
} // namespace

LoginResult login_once(const cli::Options &o, const pdu::Isid &isid, uint32_t cmdsn)
{
    Portal portal = o.portal;
    int timeout_ms = o.session.login_timeout_s * 1000;
    for (int redirects = 0;; ++redirects) {
        net::Socket sock = net::connect_portal(portal.host, portal.port, timeout_ms);
        log::info("connected to %s", sock.peer().c_str());
        Login login(o.login, isid, cmdsn);
        for (;;) {
            auto req = login.next_request();
            if (log::level() >= 1)
                log::debug(1, "login request: %s", text::describe(req.keys).c_str());
            net::send_pdu(sock, req.bhs.data(), req.bhs.size(), req.data, timeout_ms);
            uint8_t bhs[pdu::BHS_LEN];
            auto data = net::recv_pdu(sock, bhs, MAX_LOGIN_DATA, timeout_ms);
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

LoginResult login_with_retries(const cli::Options &o, const pdu::Isid &isid, uint32_t cmdsn)
{
    int tries = o.session.initial_login_retry_max < 1 ? 1 : o.session.initial_login_retry_max;
    for (int attempt = 1;; ++attempt) {
        try {
            return login_once(o, isid, cmdsn);
        } catch (const Error &e) {
            if (!e.retryable() || attempt >= tries)
                throw;
            int delay = backoff_ms(attempt, jitter_unit());
            log::info("attempt %d/%d failed: %s; retrying in %d ms", attempt, tries, e.what(), delay);
            sleep_ms(delay);
        }
    }
}

} // namespace isr
