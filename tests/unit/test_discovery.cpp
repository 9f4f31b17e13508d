// SendTargets discovery (issue 17): the Text and Logout PDUs byte by byte,
// the SendTargets answer parser, the Text exchange with continuation, the
// login state machine's Discovery mode (with CHAP), and the --discover
// command line.
#include "test_util.hpp"

#include "../../iscsistart/cli/options.hpp"
#include "../../iscsistart/discovery/sendtargets.hpp"
#include "../../iscsistart/login/login.hpp"

#include <cstring>
#include <unistd.h>
#include <string>
#include <vector>

using namespace isr;
using namespace std::string_literals;
using discovery::Record;

namespace {

std::vector<uint8_t> bytes_of(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<Record> parse(std::string_view s, std::string_view host = "192.0.2.1", uint16_t port = 3260)
{
    auto b = bytes_of(s);
    return discovery::parse_send_targets(b.data(), b.size(), host, port);
}

void expect_record(const Record &r, const char *name, const char *host, uint16_t port, int tpgt)
{
    assert_string_equal(r.target_name.c_str(), name);
    assert_string_equal(r.host.c_str(), host);
    assert_int_equal(r.port, port);
    assert_int_equal(r.tpgt, tpgt);
}

// A Text Response BHS with the given fields.
std::array<uint8_t, 48> text_rsp(bool final, bool cont, uint32_t itt, uint32_t ttt, uint32_t statsn, uint32_t dlen)
{
    std::array<uint8_t, 48> b{};
    b[0] = 0x24;
    b[1] = (final ? 0x80 : 0) | (cont ? 0x40 : 0);
    b[5] = (uint8_t)(dlen >> 16);
    b[6] = (uint8_t)(dlen >> 8);
    b[7] = (uint8_t)dlen;
    for (int i = 0; i < 4; ++i) {
        b[16 + i] = (uint8_t)(itt >> (24 - 8 * i));
        b[20 + i] = (uint8_t)(ttt >> (24 - 8 * i));
        b[24 + i] = (uint8_t)(statsn >> (24 - 8 * i));
    }
    return b;
}

uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

} // namespace

// ---- PDUs -------------------------------------------------------------------

// Every byte of a Text Request against RFC 7143 11.10 as drawn there.
static void text_request_byte_by_byte(void **)
{
    pdu::TextRequest r;
    r.final = true;
    r.itt = 0xa1a2a3a4;
    r.ttt = 0xb1b2b3b4;
    r.cmdsn = 0xc1c2c3c4;
    r.exp_statsn = 0xd1d2d3d4;
    auto b = pdu::encode_text_request(r, 0xe1e2e3);
    const uint8_t want[48] = {
        0x04, 0x80, 0, 0, 0, 0xe1, 0xe2, 0xe3, // opcode (not immediate), F, reserved, AHS, DSL
        0, 0, 0, 0, 0, 0, 0, 0,                // LUN
        0xa1, 0xa2, 0xa3, 0xa4,                // ITT
        0xb1, 0xb2, 0xb3, 0xb4,                // TTT
        0xc1, 0xc2, 0xc3, 0xc4,                // CmdSN
        0xd1, 0xd2, 0xd3, 0xd4,                // ExpStatSN
    };
    assert_memory_equal(b.data(), want, 48);
    r.final = false;
    r.cont = true;
    r.immediate = true;
    b = pdu::encode_text_request(r, 0);
    assert_int_equal(b[0], 0x44);
    assert_int_equal(b[1], 0x40);
}

static void text_response_decoded(void **)
{
    auto b = text_rsp(false, true, 7, 0x11223344, 0x55667788, 0x0102);
    b[31] = 9;  // ExpCmdSN
    b[35] = 10; // MaxCmdSN
    auto r = pdu::decode_text_response(b.data());
    assert_false(r.final);
    assert_true(r.cont);
    assert_int_equal(r.itt, 7);
    assert_int_equal(r.ttt, 0x11223344);
    assert_int_equal(r.statsn, 0x55667788);
    assert_int_equal(r.data_len, 0x0102);
    assert_int_equal(r.exp_cmdsn, 9);
    assert_int_equal(r.max_cmdsn, 10);
    b[0] = 0x3f;
    b[2] = 0x04;
    EXPECT_ERROR(pdu::decode_text_response(b.data()), ISCSI_ERR_LOGIN, "Reject PDU (reason 0x04)");
    b[0] = 0x21;
    EXPECT_ERROR(pdu::decode_text_response(b.data()), ISCSI_ERR_LOGIN, "expected a Text Response PDU, got opcode 0x21");
}

// Logout Request (RFC 7143 11.14) byte by byte, and the Logout Response.
static void logout_pdus(void **)
{
    pdu::LogoutRequest r;
    r.itt = 0xa1a2a3a4;
    r.cmdsn = 0xc1c2c3c4;
    r.exp_statsn = 0xd1d2d3d4;
    auto b = pdu::encode_logout_request(r);
    const uint8_t want[48] = {
        0x46, 0x80, 0, 0, 0, 0, 0, 0, // I + 0x06, 1 + reason 0 (close the session)
        0, 0, 0, 0, 0, 0, 0, 0,       // reserved
        0xa1, 0xa2, 0xa3, 0xa4,       // ITT
        0, 0, 0, 0,                   // CID (reserved for reason 0), reserved
        0xc1, 0xc2, 0xc3, 0xc4,       // CmdSN
        0xd1, 0xd2, 0xd3, 0xd4,       // ExpStatSN
    };
    assert_memory_equal(b.data(), want, 48);

    uint8_t rsp[48] = {0x26, 0x80, 0x00};
    rsp[19] = 2;
    rsp[27] = 5;
    rsp[41] = 2;
    rsp[43] = 20;
    auto l = pdu::decode_logout_response(rsp);
    assert_int_equal(l.response, 0);
    assert_int_equal(l.itt, 2);
    assert_int_equal(l.statsn, 5);
    assert_int_equal(l.time2wait, 2);
    assert_int_equal(l.time2retain, 20);
    rsp[0] = 0x24;
    EXPECT_ERROR(pdu::decode_logout_response(rsp), ISCSI_ERR_LOGIN, "expected a Logout Response PDU");
}

// ---- the SendTargets answer ---------------------------------------------------

static void several_records(void **)
{
    auto r = parse(("TargetName=iqn.2026-11.test:a\0"
                               "TargetAddress=10.0.0.1:3260,1\0"
                               "TargetAddress=10.0.0.2:3261,2\0"
                               "TargetName=iqn.2026-11.test:b\0"
                               "TargetAddress=10.0.0.1,1\0"s));
    assert_int_equal(r.size(), 3);
    expect_record(r[0], "iqn.2026-11.test:a", "10.0.0.1", 3260, 1);
    expect_record(r[1], "iqn.2026-11.test:a", "10.0.0.2", 3261, 2);
    expect_record(r[2], "iqn.2026-11.test:b", "10.0.0.1", 3260, 1);
}

// RFC 7143 appendix C: a target without TargetAddress is at the portal we
// asked; iscsiadm prints its tag as -1. Also padding and a last pair
// without its NUL.
static void missing_target_address(void **)
{
    auto r = parse(("TargetName=iqn.2026-11.test:here\0"
                               "TargetName=iqn.2026-11.test:there\0"
                               "TargetAddress=host.example:3262,5\0"
                               "TargetName=iqn.2026-11.test:last\0\0\0"s),
                   "127.0.0.1", 3299);
    assert_int_equal(r.size(), 3);
    expect_record(r[0], "iqn.2026-11.test:here", "127.0.0.1", 3299, -1);
    expect_record(r[1], "iqn.2026-11.test:there", "host.example", 3262, 5);
    expect_record(r[2], "iqn.2026-11.test:last", "127.0.0.1", 3299, -1);
    r = parse("TargetName=iqn.2026-11.test:x");
    assert_int_equal(r.size(), 1);
    expect_record(r[0], "iqn.2026-11.test:x", "192.0.2.1", 3260, -1);
    assert_int_equal(parse("").size(), 0);
    assert_int_equal(parse(("\0\0\0\0"s)).size(), 0);
}

static void ipv6_records(void **)
{
    auto r = parse(("TargetName=iqn.2026-11.test:v6\0"
                               "TargetAddress=[2001:db8::1]:3260,1\0"
                               "TargetAddress=[fe80::1%eth0],7\0"
                               "TargetAddress=[::1]\0"s));
    assert_int_equal(r.size(), 3);
    expect_record(r[0], "iqn.2026-11.test:v6", "2001:db8::1", 3260, 1);
    expect_record(r[1], "iqn.2026-11.test:v6", "fe80::1%eth0", 3260, 7);
    expect_record(r[2], "iqn.2026-11.test:v6", "::1", 3260, -1);
}

// One line naming the key (and the target) for each kind of bad input.
static void malformed_answers(void **)
{
    EXPECT_ERROR(parse(("TargetName=iqn.2026-11.test:a\0junk\0"s)), ISCSI_ERR_LOGIN,
                 "discovery: pair without '=': 'junk'");
    EXPECT_ERROR(parse("TargetAddress=10.0.0.1:3260,1"), ISCSI_ERR_LOGIN,
                 "discovery: TargetAddress '10.0.0.1:3260,1' before any TargetName");
    EXPECT_ERROR(parse(("TargetName=iqn.2026-11.test:a\0TargetAddress=10.0.0.1:99999,1"s)),
                 ISCSI_ERR_LOGIN, "discovery: TargetAddress of iqn.2026-11.test:a: bad port '99999'");
    EXPECT_ERROR(parse(("TargetName=iqn.2026-11.test:a\0TargetAddress=10.0.0.1:3260,x"s)),
                 ISCSI_ERR_LOGIN, "discovery: TargetAddress of iqn.2026-11.test:a: bad portal group tag 'x'");
    EXPECT_ERROR(parse(("TargetName=iqn.2026-11.test:a\0TargetAddress=[::1:3260,1"s)), ISCSI_ERR_LOGIN,
                 "TargetAddress of iqn.2026-11.test:a: missing ']'");
    EXPECT_ERROR(parse(("TargetName=iqn.2026-11.test:a\0TargetAddress=,1"s)), ISCSI_ERR_LOGIN,
                 "TargetAddress of iqn.2026-11.test:a: empty host");
    EXPECT_ERROR(parse(("TargetName=iqn.2026-11.test:a\0TargetAddress=a b:1,1"s)), ISCSI_ERR_LOGIN,
                 "TargetAddress of iqn.2026-11.test:a: invalid character in host");
    EXPECT_ERROR(parse("TargetName="), ISCSI_ERR_LOGIN, "discovery: TargetName: empty");
    EXPECT_ERROR(parse("TargetName=iqn.bad\nname"), ISCSI_ERR_LOGIN, "TargetName: 'iqn.bad\\x0aname' has a space");
    EXPECT_ERROR(parse("TargetName=" + std::string(224, 'a')), ISCSI_ERR_LOGIN, "TargetName: longer than 223");
    EXPECT_ERROR(parse("SendTargets=Reject"), ISCSI_ERR_LOGIN, "target answered SendTargets=Reject");
    // vendor keys are skipped
    assert_int_equal(parse(("X-vendor=1\0TargetName=iqn.2026-11.test:a"s)).size(), 1);
}

// iscsiadm's idbm_print_node_flat: brackets unless the host has a '.'.
static void iscsiadm_format(void **)
{
    assert_string_equal(discovery::format_record({"iqn.2026-11.test:a", "127.0.0.1", 3260, 1}).c_str(),
                        "127.0.0.1:3260,1 iqn.2026-11.test:a");
    assert_string_equal(discovery::format_record({"iqn.2026-11.test:a", "2001:db8::1", 3261, 2}).c_str(),
                        "[2001:db8::1]:3261,2 iqn.2026-11.test:a");
    assert_string_equal(discovery::format_record({"iqn.2026-11.test:a", "host.example", 3260, -1}).c_str(),
                        "host.example:3260,-1 iqn.2026-11.test:a");
    assert_string_equal(discovery::format_record({"iqn.2026-11.test:a", "localhost", 3260, 1}).c_str(),
                        "[localhost]:3260,1 iqn.2026-11.test:a");
}

// ---- the Text exchange ----------------------------------------------------

// A long answer over three PDUs (the middle one cut inside a pair, C set):
// the first request carries SendTargets=All and TTT 0xffffffff, the
// others are empty with the target's TTT, CmdSN and ExpStatSN advance.
static void continuation_across_pdus(void **)
{
    discovery::SendTargetsExchange ex(1, 10, 20, 512);
    auto req = ex.next_request();
    assert_int_equal(req.bhs[0], 0x04);
    assert_int_equal(req.bhs[1], 0x80);
    assert_int_equal(be32(&req.bhs[16]), 1);
    assert_int_equal(be32(&req.bhs[20]), 0xffffffff);
    assert_int_equal(be32(&req.bhs[24]), 10);
    assert_int_equal(be32(&req.bhs[28]), 20);
    assert_int_equal(req.bhs[7], 16);
    assert_memory_equal(req.data.data(), "SendTargets=All\0", 16);

    const std::string all("TargetName=iqn.2026-11.test:a\0TargetAddress=10.0.0.1:3260,1\0"
                          "TargetName=iqn.2026-11.test:b\0TargetAddress=[2001:db8::2]:3260,2\0"s);
    const std::string p1 = all.substr(0, 30), p2 = all.substr(30, 50), p3 = all.substr(80);
    auto b = text_rsp(false, false, 1, 0x1000, 20, (uint32_t)p1.size());
    assert_false(ex.on_response(pdu::decode_text_response(b.data()), (const uint8_t *)p1.data(), p1.size()));

    req = ex.next_request();
    assert_true(req.data.empty());
    assert_int_equal(req.bhs[7], 0);
    assert_int_equal(be32(&req.bhs[16]), 1);      // same ITT
    assert_int_equal(be32(&req.bhs[20]), 0x1000); // the target's TTT
    assert_int_equal(be32(&req.bhs[24]), 11);
    assert_int_equal(be32(&req.bhs[28]), 21);
    b = text_rsp(false, true, 1, 0x1001, 21, (uint32_t)p2.size()); // C: a pair goes on
    assert_false(ex.on_response(pdu::decode_text_response(b.data()), (const uint8_t *)p2.data(), p2.size()));

    req = ex.next_request();
    assert_int_equal(be32(&req.bhs[20]), 0x1001);
    assert_int_equal(be32(&req.bhs[24]), 12);
    b = text_rsp(true, false, 1, 0xffffffff, 22, (uint32_t)p3.size());
    assert_true(ex.on_response(pdu::decode_text_response(b.data()), (const uint8_t *)p3.data(), p3.size()));
    assert_true(ex.done());
    assert_int_equal(ex.cmdsn(), 13);
    assert_int_equal(ex.exp_statsn(), 23);
    auto r = discovery::parse_send_targets(ex.text().data(), ex.text().size(), "x.example", 3260);
    assert_int_equal(r.size(), 2);
    expect_record(r[0], "iqn.2026-11.test:a", "10.0.0.1", 3260, 1);
    expect_record(r[1], "iqn.2026-11.test:b", "2001:db8::2", 3260, 2);
}

static void exchange_violations(void **)
{
    auto feed = [](discovery::SendTargetsExchange &ex, std::array<uint8_t, 48> b, std::size_t len) {
        std::vector<uint8_t> data(len, 'a');
        ex.next_request();
        return ex.on_response(pdu::decode_text_response(b.data()), data.data(), data.size());
    };
    {
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        EXPECT_ERROR(feed(ex, text_rsp(true, false, 2, 0xffffffff, 1, 0), 0), ISCSI_ERR_LOGIN,
                     "unknown Initiator Task Tag");
    }
    {
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        EXPECT_ERROR(feed(ex, text_rsp(true, false, 1, 0xffffffff, 1, 513), 513), ISCSI_ERR_LOGIN,
                     "513 bytes, more than our MaxRecvDataSegmentLength 512");
    }
    {
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        EXPECT_ERROR(feed(ex, text_rsp(true, true, 1, 0xffffffff, 1, 0), 0), ISCSI_ERR_LOGIN, "both the F and C");
    }
    {
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        EXPECT_ERROR(feed(ex, text_rsp(true, false, 1, 5, 1, 0), 0), ISCSI_ERR_LOGIN, "final Text Response has a Target");
    }
    {
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        EXPECT_ERROR(feed(ex, text_rsp(false, false, 1, 0xffffffff, 1, 0), 0), ISCSI_ERR_LOGIN,
                     "continues but its Target Transfer Tag is 0xffffffff");
    }
    {
        // a target that never ends its answer
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        bool thrown = false;
        try {
            for (int i = 0; i <= discovery::MAX_TEXT_PDUS; ++i)
                feed(ex, text_rsp(false, false, 1, 7, (uint32_t)i, 0), 0);
        } catch (const Error &e) {
            thrown = std::string(e.what()).find("more than 1024 PDUs") != std::string::npos;
        }
        assert_true(thrown);
    }
    {
        discovery::SendTargetsExchange ex(1, 1, 1, 512);
        auto b = text_rsp(true, false, 1, 0xffffffff, 1, 0);
        EXPECT_ERROR(ex.on_response(pdu::decode_text_response(b.data()), nullptr, 0), ISCSI_ERR_LOGIN,
                     "Text Response without a request");
    }
}

// ---- the login in Discovery mode -------------------------------------------

namespace {

const pdu::Isid ISID = {0x80, 1, 2, 3, 0, 0};

Login::Outcome feed_login(Login &l, bool t, uint8_t csg, uint8_t nsg, const text::KeyList &keys, uint8_t cls = 0,
                          uint8_t det = 0)
{
    std::vector<uint8_t> data;
    for (const auto &[k, v] : keys)
        text::append(data, k, v);
    uint8_t b[48] = {};
    b[0] = pdu::OP_LOGIN_RSP;
    b[1] = (uint8_t)((t ? 0x80 : 0) | csg << 2 | nsg);
    b[7] = (uint8_t)data.size();
    b[6] = (uint8_t)(data.size() >> 8);
    std::memcpy(b + 8, ISID.data(), 6);
    b[27] = 4;
    b[36] = cls;
    b[37] = det;
    return l.on_response(pdu::decode_login_response(b), data.data(), data.size());
}

LoginConfig discovery_login_config()
{
    LoginConfig c;
    c.initiator_name = "iqn.2026-11.test:init";
    c.target_name = "iqn.2026-11.test:ignored"; // must not be sent
    c.session_type = SessionType::DISCOVERY;
    return c;
}

} // namespace

static void discovery_login_keys(void **)
{
    LoginConfig c = discovery_login_config();
    Login l(c, ISID, 1);
    auto req = l.next_request();
    assert_non_null(text::find(req.keys, "SessionType"));
    assert_string_equal(text::find(req.keys, "SessionType")->c_str(), "Discovery");
    assert_null(text::find(req.keys, "TargetName"));
    assert_string_equal(text::find(req.keys, "AuthMethod")->c_str(), "None");
    assert_true(feed_login(l, true, 0, 1, {{"AuthMethod", "None"}, {"TargetPortalGroupTag", "1"}}) ==
                Login::Outcome::CONTINUE);
    req = l.next_request();
    // only the keys a discovery session uses (RFC 7143 section 13)
    std::vector<std::string> names;
    for (const auto &kv : req.keys)
        names.push_back(kv.first);
    const std::vector<std::string> want = {"HeaderDigest",       "DataDigest",         "MaxRecvDataSegmentLength",
                                           "DefaultTime2Wait",   "DefaultTime2Retain", "ErrorRecoveryLevel"};
    assert_true(names == want);
    assert_true(feed_login(l, true, 1, 3, {{"HeaderDigest", "None"}, {"DataDigest", "None"}}) == Login::Outcome::DONE);
    assert_int_equal(l.negotiated().exp_statsn, 5);

    // the Normal session still sends them all, and the TargetName
    c.session_type = SessionType::NORMAL;
    Login n(c, ISID, 1);
    req = n.next_request();
    assert_string_equal(text::find(req.keys, "SessionType")->c_str(), "Normal");
    assert_string_equal(text::find(req.keys, "TargetName")->c_str(), "iqn.2026-11.test:ignored");
}

// One-way and mutual CHAP in a discovery login; a target refusing the
// discovery credentials is 24.
static void discovery_login_chap(void **)
{
    LoginConfig c = discovery_login_config();
    c.auth.username = "disc";
    c.auth.password = Secret("DiscSecret123");
    c.auth.username_in = "tgt";
    c.auth.password_in = Secret("TgtSecret456");
    const chap::Bytes theirs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const chap::Bytes ours(16, 0x42);
    Login l(c, ISID, 1, [&](std::size_t n) { return n == 1 ? chap::Bytes{9} : ours; });
    auto req = l.next_request();
    assert_string_equal(text::find(req.keys, "AuthMethod")->c_str(), "CHAP");
    assert_string_equal(text::find(req.keys, "SessionType")->c_str(), "Discovery");
    assert_null(text::find(req.keys, "TargetName"));
    feed_login(l, false, 0, 0, {{"AuthMethod", "CHAP"}});
    req = l.next_request();
    assert_string_equal(text::find(req.keys, "CHAP_A")->c_str(), "5");
    feed_login(l, false, 0, 0, {{"CHAP_A", "5"}, {"CHAP_I", "3"}, {"CHAP_C", chap::encode_hex(theirs)}});
    req = l.next_request();
    assert_string_equal(text::find(req.keys, "CHAP_N")->c_str(), "disc");
    assert_string_equal(text::find(req.keys, "CHAP_R")->c_str(),
                        chap::encode_hex(chap::response(chap::MD5, 3, c.auth.password, theirs)).c_str());
    auto proof = chap::response(chap::MD5, 9, c.auth.password_in, ours);
    assert_true(feed_login(l, true, 0, 1, {{"CHAP_N", "tgt"}, {"CHAP_R", chap::encode_hex(proof)}}) ==
                Login::Outcome::CONTINUE);
    req = l.next_request();
    assert_null(text::find(req.keys, "InitialR2T"));
    assert_true(feed_login(l, true, 1, 3, {}) == Login::Outcome::DONE);

    Login refused(c, ISID, 1);
    refused.next_request();
    EXPECT_ERROR(feed_login(refused, false, 0, 0, {}, 2, 1), ISCSI_ERR_LOGIN_AUTH_FAILED, "authentication failure");
}

// ---- the command line ---------------------------------------------------------

namespace {

struct Argv {
    std::vector<std::string> store;
    std::vector<char *> ptrs;
    explicit Argv(std::initializer_list<const char *> a) : store(a.begin(), a.end())
    {
        for (auto &s : store)
            ptrs.push_back(s.data());
        ptrs.push_back(nullptr);
    }
    int argc() const { return (int)ptrs.size() - 1; }
    char **argv() { return ptrs.data(); }
};

} // namespace

static void cli_discover(void **)
{
    Argv a{"iscsistart", "--discover", "-a", "127.0.0.1", "-p", "3299", "-i", "iqn.2026-11.test:init",
           "-P", "discovery.sendtargets.auth.authmethod=CHAP", "-P", "discovery.sendtargets.auth.username=disc",
           "-P", "discovery.sendtargets.auth.password=DiscSecret123", "-P",
           "discovery.sendtargets.auth.username_in=tgt", "-P", "discovery.sendtargets.auth.password_in=TgtSecret456",
           "-P", "discovery.sendtargets.iscsi.MaxRecvDataSegmentLength=4096", "-P",
           "discovery.sendtargets.timeo.login_timeout=7", "-P", "discovery.sendtargets.reopen_max=0"};
    auto o = cli::parse(a.argc(), a.argv(), "/nonexistent");
    assert_true(o.action == cli::Action::DISCOVER);
    auto d = cli::discovery_config(o);
    assert_string_equal(d.initiator_name.c_str(), "iqn.2026-11.test:init");
    assert_string_equal(d.portal.host.c_str(), "127.0.0.1");
    assert_int_equal(d.portal.port, 3299);
    assert_string_equal(d.auth.username.c_str(), "disc");
    assert_true(d.auth.password == Secret("DiscSecret123"));
    assert_string_equal(d.auth.username_in.c_str(), "tgt");
    assert_true(d.auth.password_in == Secret("TgtSecret456"));
    assert_int_equal(d.max_recv_dlength, 4096);
    assert_int_equal(d.login_timeout_s, 7);
    assert_int_equal(d.reopen_max, 0);
    // the node credentials stay apart
    assert_false(o.login.auth.chap());
    // the discovery passwords are wiped from argv
    for (const auto &s : a.store)
        assert_null(strstr(s.c_str(), "Secret"));
}

static void cli_discover_errors(void **)
{
    {
        Argv a{"iscsistart", "--discover", "-i", "iqn.2026-11.test:init"};
        EXPECT_ERROR(cli::parse(a.argc(), a.argv(), "/nonexistent"), ISCSI_ERR_INVAL, "address: not set");
    }
    {
        Argv a{"iscsistart", "--discover", "-a", "127.0.0.1"};
        EXPECT_ERROR(cli::parse(a.argc(), a.argv(), "/nonexistent"), ISCSI_ERR_INVAL, "initiatorname: not set");
    }
    {
        Argv a{"iscsistart", "--discover", "-a", "127.0.0.1", "-i", "iqn.2026-11.test:init", "-P",
               "discovery.sendtargets.auth.password=OnlySecret1"};
        bool thrown = false;
        try {
            cli::parse(a.argc(), a.argv(), "/nonexistent");
        } catch (const Error &e) {
            thrown = e.code() == ISCSI_ERR_INVAL &&
                     std::string(e.what()).find("discovery.sendtargets.auth.username:") != std::string::npos &&
                     std::string(e.what()).find("OnlySecret1") == std::string::npos;
        }
        assert_true(thrown);
    }
    {
        Argv a{"iscsistart", "--discover", "-a", "127.0.0.1", "-i", "iqn.2026-11.test:init", "-P",
               "discovery.sendtargets.auth.authmethod=KRB5"};
        EXPECT_ERROR(cli::parse(a.argc(), a.argv(), "/nonexistent"), ISCSI_ERR_INVAL,
                     "discovery.sendtargets.auth.authmethod: expected CHAP or None");
    }
    {
        Argv a{"iscsistart", "--discover", "-a", "127.0.0.1", "-i", "iqn.2026-11.test:init", "-P",
               "discovery.sendtargets.bogus=1"};
        EXPECT_ERROR(cli::parse(a.argc(), a.argv(), "/nonexistent"), ISCSI_ERR_INVAL,
                     "--param discovery.sendtargets.bogus: unknown parameter name");
    }
    assert_true(cli::is_secret_param("discovery.sendtargets.auth.password"));
    assert_true(cli::is_secret_param("discovery.sendtargets.auth.password_in"));
    assert_false(cli::is_secret_param("discovery.sendtargets.auth.username"));
}

// The same names from a -c file (iscsid.conf style), secrets included.
static void cli_discover_config_file(void **)
{
    char path[] = "/tmp/isr-test-discovery-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const std::string conf = "# discovery\n"
                             "discovery.sendtargets.auth.authmethod = CHAP\n"
                             "discovery.sendtargets.auth.username = disc\n"
                             "discovery.sendtargets.auth.password = DiscSecret123\n"
                             "discovery.sendtargets.use_discoveryd = No\n" // open-iscsi's, not ours: skipped
                             "discovery.sendtargets.iscsi.MaxRecvDataSegmentLength = 32768\n";
    assert_int_equal(write(fd, conf.data(), conf.size()), (ssize_t)conf.size());
    close(fd);
    Argv a{"iscsistart", "--discover", "-a", "127.0.0.1", "-i", "iqn.2026-11.test:init", "-c", path};
    auto o = cli::parse(a.argc(), a.argv(), "/nonexistent");
    unlink(path);
    auto d = cli::discovery_config(o);
    assert_string_equal(d.auth.username.c_str(), "disc");
    assert_true(d.auth.password == Secret("DiscSecret123"));
    assert_int_equal(d.max_recv_dlength, 32768);
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_request_byte_by_byte),
        cmocka_unit_test(text_response_decoded),
        cmocka_unit_test(logout_pdus),
        cmocka_unit_test(several_records),
        cmocka_unit_test(missing_target_address),
        cmocka_unit_test(ipv6_records),
        cmocka_unit_test(malformed_answers),
        cmocka_unit_test(iscsiadm_format),
        cmocka_unit_test(continuation_across_pdus),
        cmocka_unit_test(exchange_violations),
        cmocka_unit_test(discovery_login_keys),
        cmocka_unit_test(discovery_login_chap),
        cmocka_unit_test(cli_discover),
        cmocka_unit_test(cli_discover_errors),
        cmocka_unit_test(cli_discover_config_file),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
