// The login state machine against a scripted target: every request it
// builds is checked and every response it gets is made here.
#include "test_util.hpp"

#include "../../iscsistart/login/login.hpp"

#include <cstring>

using namespace isr;

namespace {

const pdu::Isid ISID = {0x80, 1, 2, 3, 0, 0};

struct Rsp {
    bool t = false;
    bool c = false;
    uint8_t csg = 0, nsg = 0;
    uint8_t cls = 0, det = 0;
    uint16_t tsih = 0;
    uint32_t statsn = 7;
    text::KeyList keys;
    pdu::Isid isid = ISID;
};

Login::Outcome feed(Login &l, const Rsp &r)
{
    std::vector<uint8_t> data;
    for (const auto &[k, v] : r.keys)
        text::append(data, k, v);
    uint8_t b[48] = {};
    b[0] = pdu::OP_LOGIN_RSP;
    b[1] = (r.t ? 0x80 : 0) | (r.c ? 0x40 : 0) | (r.csg << 2) | r.nsg;
    b[5] = (uint8_t)(data.size() >> 16);
    b[6] = (uint8_t)(data.size() >> 8);
    b[7] = (uint8_t)data.size();
    for (int i = 0; i < 6; ++i)
        b[8 + i] = r.isid[i];
    b[14] = r.tsih >> 8;
    b[15] = r.tsih & 0xff;
    b[24] = r.statsn >> 24;
    b[27] = r.statsn & 0xff;
    b[36] = r.cls;
    b[37] = r.det;
    auto rsp = pdu::decode_login_response(b);
    return l.on_response(rsp, data.data(), data.size());
}

// Our first request, the target's AuthMethod=CHAP, and our CHAP_A offer:
// the login waits for the target's challenge.
void start_chap(Login &l)
{
    l.next_request();
    Rsp r;
    r.keys = {{"AuthMethod", "CHAP"}};
    feed(l, r);
    l.next_request();
}

// The target's last operational response: transit to full feature phase.
Rsp final_operational()
{
    Rsp r;
    r.t = true;
    r.csg = 1;
    r.nsg = 3;
    return r;
}

LoginConfig base_config()
{
    LoginConfig c;
    c.initiator_name = "iqn.2026-11.test:init";
    c.target_name = "iqn.2026-11.test:disk";
    return c;
}

LoginConfig chap_config(bool mutual)
{
    LoginConfig c = base_config();
    c.auth.username = "alice";
    c.auth.password = Secret("alicesecret123");
    if (mutual) {
        c.auth.username_in = "target";
        c.auth.password_in = Secret("targetsecret456");
    }
    return c;
}

const std::string &key(const Login::Request &r, const char *k)
{
    const std::string *v = text::find(r.keys, k);
    if (!v) {
        print_error("request lacks %s\n", k);
        fail();
    }
    return *v;
}

// The operational stage both flows end with.
void finish_operational(Login &l, uint16_t tsih = 0x200)
{
    auto req = l.next_request();
    assert_int_equal(req.bhs[1], 0x87); // T, CSG 1, NSG 3
    assert_string_equal(key(req, "ImmediateData").c_str(), "Yes");
    Rsp r = final_operational();
    r.tsih = tsih;
    r.statsn = 9;
    r.keys = {{"HeaderDigest", "None"}, {"DataDigest", "None"}, {"InitialR2T", "Yes"}, {"ImmediateData", "Yes"},
              {"MaxBurstLength", "262144"}, {"FirstBurstLength", "65536"}, {"MaxRecvDataSegmentLength", "65536"}};
    assert_true(feed(l, r) == Login::Outcome::DONE);
}

const chap::Bytes TARGET_CHALLENGE = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

// Security stage up to the point where we sent CHAP_N/CHAP_R.
Login::Request chap_until_response(Login &l, const LoginConfig &c)
{
    auto req = l.next_request();
    assert_int_equal(req.bhs[1], 0x00); // CSG 0, no T
    assert_string_equal(key(req, "AuthMethod").c_str(), c.auth.mutual() ? "CHAP" : "CHAP,None");
    assert_string_equal(key(req, "SessionType").c_str(), "Normal");
    assert_string_equal(key(req, "TargetName").c_str(), "iqn.2026-11.test:disk");
    Rsp r;
    r.keys = {{"TargetPortalGroupTag", "1"}, {"AuthMethod", "CHAP"}};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);

    req = l.next_request();
    assert_string_equal(key(req, "CHAP_A").c_str(), "5");
    r.keys = {{"CHAP_A", "5"}, {"CHAP_I", "17"}, {"CHAP_C", chap::encode_hex(TARGET_CHALLENGE)}};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);

    req = l.next_request();
    assert_int_equal(req.bhs[1], 0x81); // T, CSG 0, NSG 1
    assert_string_equal(key(req, "CHAP_N").c_str(), "alice");
    auto want = chap::response(chap::MD5, 17, c.auth.password, TARGET_CHALLENGE);
    assert_string_equal(key(req, "CHAP_R").c_str(), chap::encode_hex(want).c_str());
    return req;
}

// Security stage without authentication, up to (and including) sending
// the first operational-stage request.
void skip_security(Login &l, const text::KeyList &keys = {{"AuthMethod", "None"}})
{
    l.next_request();
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = keys;
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    l.next_request();
}

} // namespace

static void no_auth_login(void **)
{
    LoginConfig c = base_config();
    c.tpgt = 1;
    Login l(c, ISID, 1);
    auto req = l.next_request();
    assert_int_equal(req.bhs[0], 0x43);
    assert_int_equal(req.bhs[1], 0x81); // straight to the operational stage
    assert_int_equal(req.bhs[27], 1);   // CmdSN
    assert_string_equal(key(req, "AuthMethod").c_str(), "None");
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = {{"TargetPortalGroupTag", "1"}, {"AuthMethod", "None"}};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    finish_operational(l);
    const auto &n = l.negotiated();
    assert_int_equal(n.tsih, 0x200);
    assert_int_equal(n.exp_statsn, 10);
    assert_int_equal(n.tpgt, 1);
    assert_int_equal(n.max_xmit_dlength, 65536);
    assert_int_equal(n.max_recv_dlength, 262144);
    assert_true(n.initial_r2t);
}

static void one_way_chap(void **)
{
    LoginConfig c = chap_config(false);
    Login l(c, ISID, 1);
    auto req = chap_until_response(l, c);
    assert_null(text::find(req.keys, "CHAP_C"));
    Rsp r;
    r.t = true;
    r.nsg = 1;
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    finish_operational(l);
}

static void mutual_chap(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    auto req = chap_until_response(l, c);
    auto id = (uint8_t)std::stoi(key(req, "CHAP_I"));
    auto chal = chap::decode_binary(key(req, "CHAP_C"));
    assert_true(chal.has_value());
    assert_true(chal->size() >= 16);
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = {{"CHAP_N", "target"},
              {"CHAP_R", chap::encode_hex(chap::response(chap::MD5, id, c.auth.password_in, *chal))}};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    finish_operational(l);
}

static void mutual_chap_wrong_target_secret(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    auto req = chap_until_response(l, c);
    auto id = (uint8_t)std::stoi(key(req, "CHAP_I"));
    auto chal = *chap::decode_binary(key(req, "CHAP_C"));
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = {{"CHAP_N", "target"}, {"CHAP_R", chap::encode_hex(chap::response(chap::MD5, id, Secret("nope"), chal))}};
    EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "response is wrong");
}

static void mutual_chap_target_must_answer(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    chap_until_response(l, c);
    Rsp r;
    r.t = true;
    r.nsg = 1;
    EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "did not answer our challenge");
}

static void mutual_chap_wrong_target_name(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    chap_until_response(l, c);
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = {{"CHAP_N", "mallory"}, {"CHAP_R", "0x00"}};
    EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP_N does not match");
}

static void reflected_challenge_is_refused(void **)
{
    // Our "random" challenge comes out equal to the target's: we must not
    // answer (a reflection attack would replay our own answer to us).
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1, [](std::size_t n) { return n == 1 ? chap::Bytes{17} : TARGET_CHALLENGE; });
    start_chap(l);
    Rsp r;
    r.keys = {{"CHAP_A", "5"}, {"CHAP_I", "17"}, {"CHAP_C", chap::encode_hex(TARGET_CHALLENGE)}};
    feed(l, r);
    EXPECT_ERROR(l.next_request(), ISCSI_ERR_LOGIN_AUTH_FAILED, "reflection");
}

static void reflected_response_is_refused(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    auto req = chap_until_response(l, c);
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = {{"CHAP_N", "target"}, {"CHAP_R", key(req, "CHAP_R")}};
    EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "reflected our own response");
}

static void bad_chap_challenges(void **)
{
    struct Case {
        text::KeyList keys;
        const char *err;
    } cases[] = {
        {{{"CHAP_A", "7"}, {"CHAP_I", "1"}, {"CHAP_C", "0x01"}}, "did not offer"},
        {{{"CHAP_A", "5"}, {"CHAP_I", "256"}, {"CHAP_C", "0x01"}}, "invalid CHAP_I"},
        {{{"CHAP_A", "5"}, {"CHAP_I", "1"}, {"CHAP_C", "zz"}}, "malformed"},
        {{{"CHAP_A", "5"}, {"CHAP_C", "0x01"}}, "lacks"},
    };
    for (auto &k : cases) {
        LoginConfig c = chap_config(false);
        Login l(c, ISID, 1);
        start_chap(l);
        Rsp r;
        r.keys = k.keys;
        EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN_AUTH_FAILED, k.err);
    }
}

static void target_declines_chap(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    l.next_request();
    Rsp r;
    r.keys = {{"AuthMethod", "None"}};
    EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "declined CHAP");

    // One-way credentials offered as CHAP,None: None is acceptable.
    LoginConfig c1 = chap_config(false);
    Login l1(c1, ISID, 1);
    l1.next_request();
    assert_true(feed(l1, r) == Login::Outcome::CONTINUE);
    auto req = l1.next_request();
    assert_int_equal(req.bhs[1], 0x81);
    assert_true(req.keys.empty());
}

static void status_classes(void **)
{
    struct Case {
        uint8_t cls, det;
        int code;
        bool retry;
        const char *text;
        bool busy; // LoginStatusError::target_busy()
    } cases[] = {
        {2, 1, ISCSI_ERR_LOGIN_AUTH_FAILED, false, "authentication failure (status 0201)", false},
        {2, 2, ISCSI_ERR_LOGIN_AUTH_FAILED, false, "authorization failure", false},
        {2, 3, ISCSI_ERR_FATAL_LOGIN, false, "target not found (status 0203)", false},
        {2, 6, ISCSI_ERR_FATAL_LOGIN, false, "too many connections (status 0206)", false},
        {3, 0, ISCSI_ERR_LOGIN, true, "target error (status 0300)", false},
        {3, 1, ISCSI_ERR_LOGIN, true, "service unavailable (status 0301)", true},
        {3, 2, ISCSI_ERR_LOGIN, true, "out of resources (status 0302)", true},
        {3, 9, ISCSI_ERR_LOGIN, true, "status class 3 detail 9", false},
    };
    for (auto &k : cases) {
        LoginConfig c = base_config();
        Login l(c, ISID, 1);
        l.next_request();
        Rsp r;
        r.cls = k.cls;
        r.det = k.det;
        r.isid = {}; // tgt zeroes the ISID in error responses
        try {
            feed(l, r);
            fail();
        } catch (const Error &e) {
            assert_int_equal(e.code(), k.code);
            assert_int_equal(e.retryable(), k.retry);
            assert_non_null(strstr(e.what(), k.text));
            auto *st = dynamic_cast<const LoginStatusError *>(&e);
            assert_non_null(st);
            assert_int_equal(st->status_class(), k.cls);
            assert_int_equal(st->status_detail(), k.det);
            assert_int_equal(st->target_busy(), k.busy);
        }
    }
}

static void redirect(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    l.next_request();
    Rsp r;
    r.cls = 1;
    r.det = 1;
    r.keys = {{"TargetAddress", "[fd00::5]:3261,2"}};
    assert_true(feed(l, r) == Login::Outcome::REDIRECT);
    assert_string_equal(l.redirect().host.c_str(), "fd00::5");
    assert_int_equal(l.redirect().port, 3261);

    Login l2(c, ISID, 1);
    l2.next_request();
    r.keys = {};
    EXPECT_ERROR(feed(l2, r), ISCSI_ERR_LOGIN, "without a TargetAddress");
}

static void target_addresses(void **)
{
    auto p = parse_target_address("10.0.0.5");
    assert_string_equal(p.host.c_str(), "10.0.0.5");
    assert_int_equal(p.port, 3260);
    p = parse_target_address("san.example.com:3262,1");
    assert_string_equal(p.host.c_str(), "san.example.com");
    assert_int_equal(p.port, 3262);
    p = parse_target_address("fe80::1");
    assert_string_equal(p.host.c_str(), "fe80::1");
    EXPECT_ERROR(parse_target_address("[fd00::1"), ISCSI_ERR_LOGIN, "missing ']'");
    EXPECT_ERROR(parse_target_address("host:99999"), ISCSI_ERR_LOGIN, "bad port");
    EXPECT_ERROR(parse_target_address(":3260"), ISCSI_ERR_LOGIN, "empty host");
}

static void continued_response(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    skip_security(l);
    // First part with C set, the rest after our empty request.
    Rsp part;
    part.c = true;
    part.csg = 1;
    part.keys = {{"MaxRecvDataSegmentLength", "8192"}};
    assert_true(feed(l, part) == Login::Outcome::CONTINUE);
    auto req = l.next_request();
    assert_true(req.data.empty());
    assert_int_equal(req.bhs[1], 0x04); // CSG 1, no T, no C
    // Our continuation had T=0, so the rest comes without T (RFC 7143
    // 11.13.1); our next request asks for the transit again.
    Rsp rest;
    rest.csg = 1;
    rest.keys = {{"ImmediateData", "Yes"}};
    assert_true(feed(l, rest) == Login::Outcome::CONTINUE);
    req = l.next_request();
    assert_int_equal(req.bhs[1], 0x87); // T, CSG 1, NSG 3
    assert_true(feed(l, final_operational()) == Login::Outcome::DONE);
    assert_int_equal(l.negotiated().max_xmit_dlength, 8192);
}

// RFC 7143 11.13.1: with status 0 the target must not set T when our
// request had T=0. A protocol violation (exit 5), named as such.
static void transit_when_we_did_not_ask_is_refused(void **)
{
    // One-way CHAP offered as CHAP,None (T=0): the target picks None and
    // jumps to the operational stage on its own.
    {
        LoginConfig c = chap_config(false);
        Login l(c, ISID, 1);
        auto req = l.next_request();
        assert_int_equal(req.bhs[1] & 0x80, 0);
        Rsp r;
        r.t = true;
        r.nsg = 1;
        r.keys = {{"AuthMethod", "None"}};
        EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN, "T bit set, but our request had T=0");
    }
    // The CHAP challenge (our CHAP_A request had T=0) with T set.
    {
        LoginConfig c = chap_config(false);
        Login l(c, ISID, 1);
        start_chap(l);
        Rsp r;
        r.t = true;
        r.nsg = 1;
        r.keys = {{"CHAP_A", "5"}, {"CHAP_I", "1"}, {"CHAP_C", "0x0102"}};
        EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN, "T bit set, but our request had T=0");
    }
    // The rest of a continued response (our empty request had T=0) with T.
    {
        LoginConfig c = base_config();
        Login l(c, ISID, 1);
        skip_security(l);
        Rsp part;
        part.c = true;
        part.csg = 1;
        part.keys = {{"MaxRecvDataSegmentLength", "8192"}};
        feed(l, part);
        l.next_request();
        EXPECT_ERROR(feed(l, final_operational()), ISCSI_ERR_LOGIN, "T bit set, but our request had T=0");
    }
}

// A key we do not know, or a vendor X-/X# key, is answered NotUnderstood in
// our next request, in every stage (RFC 7143 6.2, 13); the obsolete marker
// keys get Reject (13.25). A key the target started in the security stage
// is not offered again in the operational stage.
static void unknown_keys_answered_in_the_security_stage(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    auto req = l.next_request();
    assert_int_equal(req.bhs[1], 0x81);
    Rsp r; // no T: the target wants our answers first
    r.keys = {{"AuthMethod", "None"},   {"X-com.example.Sec", "1"}, {"X#org.example.v", "a"},
              {"FutureKey", "Yes"},     {"OFMarkInt", "2048~8192"}, {"InitiatorAlias", "NotUnderstood"},
              {"TargetAlias", "disk0"}, {"MaxConnections", "4"}};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    req = l.next_request();
    assert_int_equal(req.bhs[1], 0x81); // still asking to move on
    assert_string_equal(key(req, "X-com.example.Sec").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "X#org.example.v").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "FutureKey").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "OFMarkInt").c_str(), "Reject");
    assert_string_equal(key(req, "MaxConnections").c_str(), "1");
    assert_null(text::find(req.keys, "InitiatorAlias")); // an answer is not answered
    assert_null(text::find(req.keys, "TargetAlias"));    // declarative
    assert_null(text::find(req.keys, "AuthMethod"));
    assert_string_equal(l.negotiated().target_alias.c_str(), "disk0");

    r.t = true;
    r.nsg = 1;
    r.keys = {};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    req = l.next_request();
    assert_string_equal(key(req, "ImmediateData").c_str(), "Yes");
    assert_null(text::find(req.keys, "MaxConnections")); // negotiated once only
    assert_null(text::find(req.keys, "FutureKey"));
    assert_true(feed(l, final_operational()) == Login::Outcome::DONE);
    assert_int_equal(l.negotiated().max_connections, 1);
}

static void unknown_keys_answered_during_chap(void **)
{
    LoginConfig c = chap_config(true);
    Login l(c, ISID, 1);
    l.next_request();
    Rsp r;
    r.keys = {{"AuthMethod", "CHAP"}, {"X-com.example.Auth", "on"}, {"IFMarker", "Yes"}};
    feed(l, r);
    auto req = l.next_request();
    assert_string_equal(key(req, "CHAP_A").c_str(), "5");
    assert_string_equal(key(req, "X-com.example.Auth").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "IFMarker").c_str(), "Reject");

    r.keys = {{"CHAP_A", "5"},
              {"CHAP_I", "17"},
              {"CHAP_C", chap::encode_hex(TARGET_CHALLENGE)},
              {"X-com.example.Nonce", "7"},
              {"SRP_U", "alice"}};
    feed(l, r);
    req = l.next_request();
    assert_int_equal(req.bhs[1], 0x81);
    assert_string_equal(key(req, "CHAP_N").c_str(), "alice");
    assert_string_equal(key(req, "X-com.example.Nonce").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "SRP_U").c_str(), "NotUnderstood");
    assert_null(text::find(req.keys, "X-com.example.Auth")); // answered once

    // The target's mutual answer with T, and one more unknown key: answered
    // in our first operational request.
    auto id = (uint8_t)std::stoi(key(req, "CHAP_I"));
    auto chal = *chap::decode_binary(key(req, "CHAP_C"));
    r.t = true;
    r.nsg = 1;
    r.keys = {{"CHAP_N", "target"},
              {"CHAP_R", chap::encode_hex(chap::response(chap::MD5, id, c.auth.password_in, chal))},
              {"X-com.example.After", "1"}};
    assert_true(feed(l, r) == Login::Outcome::CONTINUE);
    req = l.next_request();
    assert_string_equal(key(req, "X-com.example.After").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "ImmediateData").c_str(), "Yes");
}

static void unknown_keys_answered_in_the_operational_stage(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    skip_security(l);
    Rsp op;
    op.csg = 1;
    op.keys = {{"FutureKey", "1"},     {"X#org.example.v", "2"}, {"IFMarkInt", "2048~8192"},
               {"OFMarker", "Yes"},    {"IFMarker", "No"},       {"OFMarkInt", "1~65535"},
               {"ImmediateData", "Yes"}};
    assert_true(feed(l, op) == Login::Outcome::CONTINUE);
    auto req = l.next_request();
    assert_string_equal(key(req, "FutureKey").c_str(), "NotUnderstood");
    assert_string_equal(key(req, "X#org.example.v").c_str(), "NotUnderstood");
    for (const char *k : {"IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt"})
        assert_string_equal(key(req, k).c_str(), "Reject");
    assert_null(text::find(req.keys, "ImmediateData")); // an answer to our offer
    assert_true(feed(l, final_operational()) == Login::Outcome::DONE);
}

// We never offer the obsolete marker keys (RFC 7143 13.25).
static void obsolete_keys_never_offered(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    auto req = l.next_request();
    Rsp r;
    r.t = true;
    r.nsg = 1;
    r.keys = {{"AuthMethod", "None"}};
    feed(l, r);
    req = l.next_request();
    assert_string_equal(key(req, "ErrorRecoveryLevel").c_str(), "0");
    for (const char *k : {"IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt"})
        assert_null(text::find(req.keys, k));
}

static void target_started_key_is_answered(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    skip_security(l);
    Rsp op;
    op.csg = 1;
    op.keys = {{"X-com.example.Thing", "1"}}; // no T: the target wants an answer
    assert_true(feed(l, op) == Login::Outcome::CONTINUE);
    auto req = l.next_request();
    assert_string_equal(key(req, "X-com.example.Thing").c_str(), "NotUnderstood");
    assert_null(text::find(req.keys, "ImmediateData")); // offered once only
}

static void protocol_violations(void **)
{
    LoginConfig c = base_config();
    c.tpgt = 2;
    {
        Login l(c, ISID, 1);
        skip_security(l, {{"TargetPortalGroupTag", "1"}});
        Rsp op = final_operational();
        EXPECT_ERROR(feed(l, op), ISCSI_ERR_FATAL_LOGIN, "portal group tag is 1, not 2");
    }
    {
        Login l(c, ISID, 1);
        l.next_request();
        Rsp r;
        r.isid = {0, 0, 0, 0, 0, 1};
        EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN, "different ISID");
    }
    {
        Login l(c, ISID, 1);
        l.next_request();
        Rsp r;
        r.csg = 1;
        EXPECT_ERROR(feed(l, r), ISCSI_ERR_LOGIN, "expected 0");
    }
    {
        // A target that never finishes: bounded number of exchanges.
        Login l(c, ISID, 1);
        Rsp r;
        r.keys = {{"AuthMethod", "None"}};
        EXPECT_ERROR(for (int i = 0; i < 100; ++i) {
            l.next_request();
            feed(l, r);
        },
                     ISCSI_ERR_LOGIN, "within 32 exchanges");
    }
}

// Status classes RFC 7143 does not define are protocol violations, not
// target errors to retry.
static void unknown_status_class_is_not_retried(void **)
{
    for (uint8_t cls : {4, 5, 0xff}) {
        LoginConfig c = base_config();
        Login l(c, ISID, 1);
        l.next_request();
        Rsp r;
        r.cls = cls;
        try {
            feed(l, r);
            fail();
        } catch (const Error &e) {
            assert_int_equal(e.code(), ISCSI_ERR_LOGIN);
            assert_false(e.retryable());
            assert_non_null(strstr(e.what(), "unknown Status-Class"));
        }
    }
}

// Target-supplied text in messages: no raw control or non-ASCII bytes.
static void target_text_is_escaped_in_errors(void **)
{
    LoginConfig c = base_config();
    Login l(c, ISID, 1);
    skip_security(l);
    Rsp op = final_operational();
    op.keys = {{"HeaderDigest", "\xff\x1b[2JNone"}};
    EXPECT_ERROR(feed(l, op), ISCSI_ERR_LOGIN, "unknown digest '\\xff\\x1b[2JNone'");

    LoginConfig cc = chap_config(false);
    Login l2(cc, ISID, 1);
    start_chap(l2);
    Rsp r;
    r.keys = {{"CHAP_A", "\x1b]0;x\x07"}, {"CHAP_I", "1"}, {"CHAP_C", "0x01"}};
    EXPECT_ERROR(feed(l2, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP_A=\\x1b]0;x\\x07,");

    EXPECT_ERROR(parse_target_address("evil\x1b[2J.example:3260"), ISCSI_ERR_LOGIN,
                 "invalid character in host 'evil\\x1b[2J.example'");
}

// CHAP_C: an odd number of hex digits has a leading nibble (RFC 7143 6.1);
// over 1024 bytes is refused with its size.
static void chap_challenge_lengths(void **)
{
    LoginConfig c = chap_config(false);
    Login l(c, ISID, 1);
    start_chap(l);
    Rsp r;
    r.keys = {{"CHAP_A", "5"}, {"CHAP_I", "33"}, {"CHAP_C", "0xabc"}};
    feed(l, r);
    auto req = l.next_request();
    auto want = chap::response(chap::MD5, 33, c.auth.password, {0x0a, 0xbc});
    assert_string_equal(key(req, "CHAP_R").c_str(), chap::encode_hex(want).c_str());

    Login l2(c, ISID, 1);
    start_chap(l2);
    r.keys = {{"CHAP_A", "5"}, {"CHAP_I", "1"}, {"CHAP_C", chap::encode_hex(chap::Bytes(1025, 1))}};
    EXPECT_ERROR(feed(l2, r), ISCSI_ERR_LOGIN_AUTH_FAILED, "1025-byte CHAP_C, more than 1024");
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(no_auth_login),
        cmocka_unit_test(one_way_chap),
        cmocka_unit_test(mutual_chap),
        cmocka_unit_test(mutual_chap_wrong_target_secret),
        cmocka_unit_test(mutual_chap_target_must_answer),
        cmocka_unit_test(mutual_chap_wrong_target_name),
        cmocka_unit_test(reflected_challenge_is_refused),
        cmocka_unit_test(reflected_response_is_refused),
        cmocka_unit_test(bad_chap_challenges),
        cmocka_unit_test(target_declines_chap),
        cmocka_unit_test(status_classes),
        cmocka_unit_test(redirect),
        cmocka_unit_test(target_addresses),
        cmocka_unit_test(continued_response),
        cmocka_unit_test(target_started_key_is_answered),
        cmocka_unit_test(protocol_violations),
        cmocka_unit_test(unknown_status_class_is_not_retried),
        cmocka_unit_test(target_text_is_escaped_in_errors),
        cmocka_unit_test(chap_challenge_lengths),
        cmocka_unit_test(transit_when_we_did_not_ask_is_refused),
        cmocka_unit_test(unknown_keys_answered_in_the_security_stage),
        cmocka_unit_test(unknown_keys_answered_during_chap),
        cmocka_unit_test(unknown_keys_answered_in_the_operational_stage),
        cmocka_unit_test(obsolete_keys_never_offered),
    };
    return cmocka_run_group_tests_name("login", tests, nullptr, nullptr);
}
