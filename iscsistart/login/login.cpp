#include "login.hpp"

#include "negotiate.hpp"
#include "util/errors.hpp"

#include <algorithm>
#include <cctype>

namespace isr {
namespace {

constexpr uint32_t LOGIN_ITT = 0;
constexpr std::size_t MAX_RESPONSE_DATA = 64 * 1024; // across C-bit PDUs
constexpr int MAX_EXCHANGES = 32;

[[noreturn]] void auth_fail(const std::string &why) { throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP: " + why); }
[[noreturn]] void proto(const std::string &why) { throw Error(ISCSI_ERR_LOGIN, "login: " + why); }

} // namespace

std::string portal_text(const std::string &host, int port)
{
    const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Portal parse_target_address(std::string_view v)
{
    Portal p;
    auto comma = v.rfind(',');
    if (comma != std::string_view::npos)
        v = v.substr(0, comma); // drop ",tpgt"
    std::string_view port;
    if (!v.empty() && v[0] == '[') {
        auto close = v.find(']');
        if (close == std::string_view::npos)
            proto("TargetAddress: missing ']' in '" + text::printable(v, 64) + "'");
        p.host = std::string(v.substr(1, close - 1));
        std::string_view rest = v.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':')
                proto("TargetAddress: junk after ']'");
            port = rest.substr(1);
        }
    } else {
        auto colon = v.find(':');
        if (colon != std::string_view::npos && v.find(':', colon + 1) == std::string_view::npos) {
            p.host = std::string(v.substr(0, colon));
            port = v.substr(colon + 1);
        } else {
            p.host = std::string(v); // name, IPv4, or bare IPv6 without port
        }
    }
    if (p.host.empty())
        proto("TargetAddress: empty host");
    for (char c : p.host)
        if (!std::isalnum((unsigned char)c) && c != '.' && c != '-' && c != '_' && c != ':' && c != '%')
            proto("TargetAddress: invalid character in host '" + text::printable(p.host, 64) + "'");
    if (!port.empty()) {
        auto n = negotiate::parse_number(port);
        if (!n || *n == 0 || *n > 65535)
            proto("TargetAddress: bad port '" + text::printable(port, 16) + "'");
        p.port = (uint16_t)*n;
    }
    return p;
}

Login::Login(const LoginConfig &cfg, const pdu::Isid &isid, uint32_t cmdsn, RandomFn rnd)
    : cfg_(cfg), isid_(isid), cmdsn_(cmdsn), rnd_(std::move(rnd))
{
    neg_.max_recv_dlength = cfg.op.max_recv_dlength;
}

text::KeyList Login::security_keys()
{
    text::KeyList k;
    k.emplace_back("InitiatorName", cfg_.initiator_name);
    if (!cfg_.initiator_alias.empty())
        k.emplace_back("InitiatorAlias", cfg_.initiator_alias);
    if (cfg_.session_type == SessionType::DISCOVERY) {
        // RFC 7143 13.4: TargetName is only for Normal sessions.
        k.emplace_back("SessionType", "Discovery");
    } else {
        k.emplace_back("SessionType", "Normal");
        k.emplace_back("TargetName", cfg_.target_name);
    }
    const char *methods = !cfg_.auth.chap() ? "None" : cfg_.auth.mutual() ? "CHAP" : "CHAP,None";
    k.emplace_back("AuthMethod", methods);
    return k;
}

Login::Request Login::next_request()
{
    pdu::LoginRequest r;
    r.isid = isid_;
    r.tsih = tsih_;
    r.itt = LOGIN_ITT;
    r.cid = 0;
    r.cmdsn = cmdsn_;
    r.exp_statsn = exp_statsn_;
    r.csg = stage_;
    text::KeyList keys;

    if (want_continue_) {
        // Ask for the rest of a response the target split (C bit): an empty
        // request in the same stage without T (RFC 7143 11.12.2).
    } else {
        switch (step_) {
        case Step::START:
            keys = security_keys();
            if (!cfg_.auth.chap()) {
                r.transit = true;
                r.nsg = pdu::OPERATIONAL;
            }
            break;
        case Step::CHAP_A:
            keys.emplace_back("CHAP_A", chap::algorithm_offer(cfg_.auth.chap_algs));
            break;
        case Step::CHAP_RESPONSE: {
            auto resp = chap::response(chap_alg_, chap_id_, cfg_.auth.password, target_challenge_);
            keys.emplace_back("CHAP_N", cfg_.auth.username);
            keys.emplace_back("CHAP_R", chap::encode_hex(resp));
            if (cfg_.auth.mutual()) {
                our_id_ = rnd_(1).at(0);
                our_challenge_ = rnd_(std::max<std::size_t>(16, chap::digest_size(chap_alg_)));
                if (chap::equal_ct(our_challenge_, target_challenge_))
                    auth_fail("the target's challenge equals ours (reflection); refusing to answer");
                keys.emplace_back("CHAP_I", std::to_string(our_id_));
                keys.emplace_back("CHAP_C", chap::encode_hex(our_challenge_));
            }
            r.transit = true;
            r.nsg = pdu::OPERATIONAL;
            break;
        }
        case Step::SEC_TRANSIT:
            r.transit = true;
            r.nsg = pdu::OPERATIONAL;
            break;
        case Step::OPERATIONAL:
            if (!op_offered_) {
                keys = operational_offer();
                op_offered_ = true;
            }
            r.transit = true;
            r.nsg = pdu::FULL_FEATURE;
            break;
        case Step::DONE:
            proto("internal: no request after the login completed");
        }
        // Answers owed to keys the target started, in whichever stage
        // (RFC 7143 6.2: every key offered gets a response).
        keys.insert(keys.end(), answers_.begin(), answers_.end());
        answers_.clear();
    }
    sent_transit_ = r.transit;

    Request out;
    for (const auto &[key, value] : keys)
        text::append(out.data, key, value);
    out.bhs = pdu::encode_login_request(r, (uint32_t)out.data.size());
    out.keys = std::move(keys);
    return out;
}

void Login::check_chap_challenge(const text::KeyList &keys)
{
    const std::string *a = text::find(keys, "CHAP_A");
    const std::string *i = text::find(keys, "CHAP_I");
    const std::string *c = text::find(keys, "CHAP_C");
    if (!a || !i || !c)
        auth_fail("target's challenge lacks CHAP_A, CHAP_I or CHAP_C");
    auto alg = negotiate::parse_number(*a);
    const auto &offered = cfg_.auth.chap_algs;
    if (!alg || std::find(offered.begin(), offered.end(), (int)*alg) == offered.end())
        auth_fail("target chose CHAP_A=" + text::printable(*a, 16) + ", which we did not offer (" +
                  chap::algorithm_offer(offered) + ")");
    auto id = negotiate::parse_number(*i);
    if (!id || *id > 255)
        auth_fail("target sent an invalid CHAP_I '" + text::printable(*i, 16) + "'");
    auto chal = chap::decode_binary(*c);
    if (!chal)
        auth_fail("target sent a malformed CHAP_C (neither 0x hex nor 0b base64)");
    if (chal->size() > 1024)
        auth_fail("target sent a " + std::to_string(chal->size()) + "-byte CHAP_C, more than 1024");
    chap_alg_ = (int)*alg;
    chap_id_ = (uint8_t)*id;
    target_challenge_ = std::move(*chal);
}

void Login::verify_target_response(const text::KeyList &keys)
{
    const std::string *n = text::find(keys, "CHAP_N");
    const std::string *r = text::find(keys, "CHAP_R");
    if (!n || !r)
        auth_fail("mutual CHAP: the target did not answer our challenge");
    if (!cfg_.auth.username_in.empty() && *n != cfg_.auth.username_in)
        auth_fail("mutual CHAP: the target's CHAP_N does not match username_in");
    auto got = chap::decode_binary(*r);
    if (!got)
        auth_fail("mutual CHAP: malformed CHAP_R from the target");
    auto want = chap::response(chap_alg_, our_id_, cfg_.auth.password_in, our_challenge_);
    auto ours = chap::response(chap_alg_, chap_id_, cfg_.auth.password, target_challenge_);
    if (chap::equal_ct(*got, ours))
        auth_fail("mutual CHAP: the target reflected our own response");
    if (!chap::equal_ct(*got, want))
        auth_fail("mutual CHAP: the target's response is wrong (check password_in)");
}

text::KeyList Login::operational_offer() const
{
    // A discovery session: only the keys RFC 7143 section 13 does not
    // mark "Irrelevant when: SessionType=Discovery" (the ones open-iscsi
    // sends there too, less the obsolete markers).
    static constexpr std::string_view discovery_keys[] = {"HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength",
                                                          "DefaultTime2Wait", "DefaultTime2Retain",
                                                          "ErrorRecoveryLevel"};
    const bool discovery = cfg_.session_type == SessionType::DISCOVERY;
    text::KeyList out;
    for (auto &kv : negotiate::offer(cfg_.op)) {
        if (discovery &&
            std::find(std::begin(discovery_keys), std::end(discovery_keys), kv.first) == std::end(discovery_keys))
            continue;
        out.push_back(std::move(kv));
    }
    std::erase_if(out, [&](const text::Pair &kv) {
        return std::find(settled_.begin(), settled_.end(), kv.first) != settled_.end();
    });
    return out;
}

void Login::fold_operational(const text::KeyList &keys)
{
    const auto offered = operational_offer();
    for (const auto &[k, v] : keys) {
        bool we_offered = op_offered_ && text::find(offered, k) != nullptr;
        auto answer = negotiate::apply(k, v, cfg_.op, we_offered, neg_);
        if (answer) {
            answers_.emplace_back(k, *answer);
            settled_.push_back(k);
        }
    }
}

void Login::fold_security(const text::KeyList &keys)
{
    // The keys the security steps read themselves, and the declaratives
    // applied for every stage in on_response().
    static constexpr std::string_view handled[] = {"AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R",
                                                   "TargetAlias", "TargetPortalGroupTag"};
    text::KeyList rest;
    const auto ours = security_keys();
    for (const auto &[k, v] : keys) {
        if (std::find(std::begin(handled), std::end(handled), k) != std::end(handled))
            continue;
        if (text::find(ours, k)) // the target's answer to a key we sent
            continue;
        rest.emplace_back(k, v);
    }
    // Anything else (an operational key started early, an obsolete
    // marker key, an unknown or X-/X# key) is folded as in the
    // operational stage: answered, Reject or NotUnderstood.
    fold_operational(rest);
}

Login::Outcome Login::on_response(const pdu::LoginResponse &rsp, const uint8_t *data, std::size_t len)
{
    if (++exchanges_ > MAX_EXCHANGES)
        proto("the target did not finish the login within " + std::to_string(MAX_EXCHANGES) + " exchanges (stuck in the " +
              (stage_ == pdu::SECURITY ? "security" : "operational") + " stage)");
    if (rsp.status_class != 0) {
        std::string what = pdu::status_text(rsp.status_class, rsp.status_detail);
        char code[8];
        snprintf(code, sizeof code, "%02x%02x", rsp.status_class, rsp.status_detail);
        if (rsp.status_class > 3) // RFC 7143 11.13.5 defines classes 0-3 only
            proto("response has unknown Status-Class " + std::to_string(rsp.status_class) + " (status " + code + ")");
        if (rsp.status_class == 1) {
            last_keys_ = text::parse(data, len);
            const std::string *addr = text::find(last_keys_, "TargetAddress");
            if (!addr)
                proto("redirect (" + std::string(code) + ") without a TargetAddress");
            redirect_ = parse_target_address(*addr);
            return Outcome::REDIRECT;
        }
        if (rsp.status_class == 2) {
            if (rsp.status_detail == 1 || rsp.status_detail == 2)
                throw LoginStatusError(ISCSI_ERR_LOGIN_AUTH_FAILED,
                                       "login: target refused our credentials: " + what + " (status " + code + ")",
                                       Retry::NO, rsp.status_class, rsp.status_detail);
            throw LoginStatusError(ISCSI_ERR_FATAL_LOGIN,
                                   "login: target refused the login: " + what + " (status " + code + ")", Retry::NO,
                                   rsp.status_class, rsp.status_detail);
        }
        // Class 3: the target's own trouble, 0301/0302 a busy target;
        // RFC 7143 11.13.5 lets the initiator try again later.
        throw LoginStatusError(ISCSI_ERR_LOGIN, "login: target error: " + what + " (status " + code + ")", Retry::YES,
                               rsp.status_class, rsp.status_detail);
    }

    // Checked after the status: tgt zeroes the ISID in error responses.
    if (rsp.itt != LOGIN_ITT)
        proto("response carries an unknown Initiator Task Tag");
    if (rsp.isid != isid_)
        proto("response carries a different ISID");

    if (rsp.version_active != 0)
        proto("target chose unsupported version " + std::to_string(rsp.version_active));
    if (rsp.csg != stage_)
        proto("response is for stage " + std::to_string(rsp.csg) + ", expected " + std::to_string(stage_));
    // RFC 7143 11.13.1: the target may set T only when our request did.
    if (rsp.transit && !sent_transit_)
        proto("response has the T bit set, but our request had T=0 (RFC 7143 11.13.1)");
    if (partial_.size() + len > MAX_RESPONSE_DATA)
        proto("response text larger than 64 KiB");
    partial_.insert(partial_.end(), data, data + len);
    exp_statsn_ = rsp.statsn + 1;
    if (rsp.cont) {
        if (rsp.transit)
            proto("response has both the T and C bits set");
        want_continue_ = true;
        return Outcome::CONTINUE;
    }
    want_continue_ = false;
    text::KeyList keys = text::parse(partial_.data(), partial_.size());
    partial_.clear();
    last_keys_ = keys;

    // Declarative keys may come in any stage.
    for (const char *k : {"TargetPortalGroupTag", "TargetAlias"})
        if (const std::string *v = text::find(keys, k))
            negotiate::apply(k, *v, cfg_.op, true, neg_);

    if (stage_ == pdu::SECURITY) {
        switch (step_) {
        case Step::START: {
            const std::string *m = text::find(keys, "AuthMethod");
            if (cfg_.auth.chap() && m && *m == "CHAP") {
                step_ = Step::CHAP_A;
            } else if (m && *m != "None" && *m != "Irrelevant") {
                proto("target chose AuthMethod=" + text::printable(*m, 32) + ", which we did not offer");
            } else if (cfg_.auth.mutual()) {
                auth_fail("target declined CHAP, but mutual CHAP is configured");
            } else {
                step_ = Step::SEC_TRANSIT;
            }
            break;
        }
        case Step::CHAP_A:
            check_chap_challenge(keys);
            step_ = Step::CHAP_RESPONSE;
            break;
        case Step::CHAP_RESPONSE:
            if (cfg_.auth.mutual())
                verify_target_response(keys);
            step_ = Step::SEC_TRANSIT;
            break;
        default:
            break;
        }
        fold_security(keys);
        if (rsp.transit && step_ == Step::SEC_TRANSIT) {
            if (rsp.nsg != pdu::OPERATIONAL)
                proto("target moved to stage " + std::to_string(rsp.nsg) + " from the security stage");
            stage_ = pdu::OPERATIONAL;
            step_ = Step::OPERATIONAL;
        } else if (rsp.transit) {
            proto("target left the security stage before authentication finished");
        }
        return Outcome::CONTINUE;
    }

    // Operational stage.
    fold_operational(keys);
    if (rsp.transit) {
        if (rsp.nsg != pdu::FULL_FEATURE)
            proto("target moved to stage " + std::to_string(rsp.nsg) + " instead of full feature");
        negotiate::finish(neg_);
        if (cfg_.tpgt >= 0 && neg_.tpgt >= 0 && neg_.tpgt != cfg_.tpgt)
            throw Error(ISCSI_ERR_FATAL_LOGIN, "login: target portal group tag is " + std::to_string(neg_.tpgt) +
                                                    ", not " + std::to_string(cfg_.tpgt) + " as given with -g");
        neg_.tsih = rsp.tsih;
        neg_.exp_statsn = exp_statsn_;
        neg_.exp_cmdsn = rsp.exp_cmdsn;
        neg_.max_cmdsn = rsp.max_cmdsn;
        step_ = Step::DONE;
        return Outcome::DONE;
    }
    return Outcome::CONTINUE;
}

} // namespace isr
