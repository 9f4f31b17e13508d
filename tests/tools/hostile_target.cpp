// hostile_target: a scripted iSCSI target that misbehaves on purpose, for
// tests/integration/hostile-target.sh. It listens on 127.0.0.1 only and
// plays one named scenario on every connection it accepts (each in its own
// child process, so a stalled connection does not hold up the next one).
//   hostile_target SCENARIO [PORT]   PORT 0 or absent: any free port
//   hostile_target --list            scenario names, one a line
// Prints "port N" once listening, then "connection N" per accepted
// connection (the test counts login attempts with these).
//
// CHAP scenarios expect the initiator to use CHAP_SECRET below.
#include "../../iscsistart/login/chap.hpp"
#include "../../iscsistart/login/pdu.hpp"
#include "../../iscsistart/login/text_keys.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace isr;

namespace {

constexpr const char *CHAP_SECRET = "HostileSecret123";
uint16_t g_port = 0; // where we listen (for the redirect loop)
unsigned g_connection = 0; // this connection's number, from 1

// ---- wire helpers ----------------------------------------------------------

[[noreturn]] void peer_gone() { _exit(0); }

void write_all(int fd, const void *p, std::size_t n)
{
    auto *b = static_cast<const uint8_t *>(p);
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0)
            peer_gone();
        b += w;
        n -= (std::size_t)w;
    }
}

void read_all(int fd, void *p, std::size_t n)
{
    auto *b = static_cast<uint8_t *>(p);
    while (n > 0) {
        ssize_t r = recv(fd, b, n, 0);
        if (r <= 0)
            peer_gone();
        b += r;
        n -= (std::size_t)r;
    }
}

void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

// "k=v\0k=v\0" from pairs (values may hold any bytes).
std::string keys(std::initializer_list<std::pair<std::string, std::string>> kv)
{
    std::string s;
    for (const auto &[k, v] : kv) {
        s += k;
        s += '=';
        s += v;
        s += '\0';
    }
    return s;
}

struct Req {
    uint8_t bhs[pdu::BHS_LEN];
    text::KeyList keys;
    bool transit() const { return bhs[1] & pdu::FLAG_TRANSIT; }
    uint8_t csg() const { return (bhs[1] >> 2) & 3; }
    const std::string *key(const char *k) const { return text::find(keys, k); }
};

// One response; fields left unset are copied from the request or filled
// in as a well-behaved target would.
struct Rsp {
    uint8_t opcode = pdu::OP_LOGIN_RSP;
    bool t = false, c = false;
    uint8_t csg = 0, nsg = 0;
    uint8_t version_active = 0;
    uint8_t cls = 0, det = 0;
    uint16_t tsih = 0;
    std::optional<uint32_t> itt, statsn, dlen;
    std::optional<uint32_t> ttt; // bytes 20-23 of a Text Response (11.11.4)
    std::optional<pdu::Isid> isid;
    std::string data;
};

class Conn {
public:
    explicit Conn(int fd) : fd_(fd) {}
    int fd() const { return fd_; }

    Req recv()
    {
        Req r;
        read_all(fd_, r.bhs, sizeof r.bhs);
        std::size_t len = pdu::data_segment_length(r.bhs);
        std::vector<uint8_t> data(len + pdu::pad_len(len));
        read_all(fd_, data.data(), data.size());
        r.keys = text::parse(data.data(), len);
        last_ = r;
        return r;
    }

    std::vector<uint8_t> encode(const Rsp &s)
    {
        uint8_t b[pdu::BHS_LEN] = {};
        b[0] = s.opcode;
        b[1] = (s.t ? pdu::FLAG_TRANSIT : 0) | (s.c ? pdu::FLAG_CONTINUE : 0) | (uint8_t)(s.csg << 2) |
               (s.t ? s.nsg : 0);
        b[2] = 0; // Version-max
        b[3] = s.version_active;
        uint32_t dlen = s.dlen.value_or((uint32_t)s.data.size());
        b[5] = dlen >> 16;
        b[6] = dlen >> 8;
        b[7] = dlen;
        pdu::Isid isid = s.isid.value_or(pdu::Isid{last_.bhs[8], last_.bhs[9], last_.bhs[10], last_.bhs[11],
                                                   last_.bhs[12], last_.bhs[13]});
        memcpy(b + 8, isid.data(), 6);
        b[14] = s.tsih >> 8;
        b[15] = s.tsih;
        put32(b + 16, s.itt.value_or(get32(last_.bhs + 16)));
        if (s.ttt)
            put32(b + 20, *s.ttt);
        uint32_t cmdsn = get32(last_.bhs + 24);
        put32(b + 24, s.statsn.value_or(statsn_++));
        put32(b + 28, cmdsn);      // ExpCmdSN
        put32(b + 32, cmdsn + 31); // MaxCmdSN
        b[36] = s.cls;
        b[37] = s.det;
        std::vector<uint8_t> out(b, b + sizeof b);
        out.insert(out.end(), s.data.begin(), s.data.end());
        out.resize(out.size() + pdu::pad_len(s.data.size()), 0);
        return out;
    }

    void send(const Rsp &s)
    {
        auto out = encode(s);
        write_all(fd_, out.data(), out.size());
    }

    // Read and throw away until the initiator hangs up.
    [[noreturn]] void silence()
    {
        char buf[512];
        while (::recv(fd_, buf, sizeof buf, 0) > 0) {
        }
        peer_gone();
    }

private:
    int fd_;
    uint32_t statsn_ = 0x100;
    Req last_{};
};

// ---- the well-behaved parts scenarios build on ------------------------------

// Security stage without authentication: answer AuthMethod=None and move on.
void security_none(Conn &c)
{
    c.recv();
    Rsp r;
    r.t = true;
    r.nsg = pdu::OPERATIONAL;
    r.data = keys({{"AuthMethod", "None"}, {"TargetPortalGroupTag", "1"}});
    c.send(r);
}

// The AuthMethod=CHAP answer and our challenge (CHAP_A=5, MD5).
void chap_start(Conn &c)
{
    c.recv();
    Rsp r;
    r.data = keys({{"AuthMethod", "CHAP"}, {"TargetPortalGroupTag", "1"}});
    c.send(r);
    c.recv(); // CHAP_A
}

const chap::Bytes CHALLENGE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// Check CHAP_R for `id`/`challenge` with CHAP_SECRET: authentication
// failure (0201) when wrong, else leave the security stage.
void chap_finish(Conn &c, uint8_t id, const chap::Bytes &challenge)
{
    Req q = c.recv();
    const std::string *r = q.key("CHAP_R");
    auto got = r ? chap::decode_binary(*r) : std::nullopt;
    Rsp s;
    if (!got || *got != chap::response(chap::MD5, id, Secret(CHAP_SECRET), challenge)) {
        s.cls = 2;
        s.det = 1;
    } else {
        s.t = true;
        s.nsg = pdu::OPERATIONAL;
    }
    c.send(s);
}

// Operational stage answered in one go, into full feature phase.
void operational_final(Conn &c, uint16_t tsih = 0x1234)
{
    c.recv();
    Rsp r;
    r.t = true;
    r.csg = pdu::OPERATIONAL;
    r.nsg = pdu::FULL_FEATURE;
    r.tsih = tsih;
    r.data = keys({{"HeaderDigest", "None"}, {"DataDigest", "None"}, {"MaxRecvDataSegmentLength", "65536"}});
    c.send(r);
}

// Answer the first request (security stage) with `r`.
void first_answer(Conn &c, Rsp r)
{
    c.recv();
    c.send(r);
}

// The first operational-stage answer is `r` (after an AuthMethod=None).
void operational_answer(Conn &c, Rsp r)
{
    security_none(c);
    c.recv();
    r.csg = pdu::OPERATIONAL;
    if (r.t && r.nsg == 0)
        r.nsg = pdu::FULL_FEATURE;
    c.send(r);
}

Rsp with_data(std::string data, bool transit = true)
{
    Rsp r;
    r.t = transit;
    r.nsg = pdu::OPERATIONAL;
    r.data = std::move(data);
    return r;
}

// ---- scenarios ---------------------------------------------------------------

// Data segment lengths above what a login response may carry.
void oversized_16m(Conn &c)
{
    Rsp r;
    r.dlen = 0xffffff; // the 24-bit field's maximum, 16 MiB - 1
    first_answer(c, r);
    c.silence();
}

void oversized_64k(Conn &c)
{
    Rsp r;
    r.dlen = 64 * 1024 + 1;
    first_answer(c, r);
    c.silence();
}

Rsp status(uint8_t cls, uint8_t det, std::string data = {})
{
    Rsp r;
    r.cls = cls;
    r.det = det;
    r.data = std::move(data);
    return r;
}

void status_05(Conn &c) { first_answer(c, status(0x05, 0x00)); }
void status_ff(Conn &c) { first_answer(c, status(0xff, 0xff)); }
void redirect_no_address(Conn &c) { first_answer(c, status(0x01, 0x01)); }
void initiator_error(Conn &c) { first_answer(c, status(0x02, 0x00)); }
void target_error(Conn &c) { first_answer(c, status(0x03, 0x01)); }

void redirect_loop(Conn &c)
{
    first_answer(c, status(0x01, 0x01, keys({{"TargetAddress", "127.0.0.1:" + std::to_string(g_port) + ",1"}})));
}

// CHAP challenges again and again, never leaving the security stage.
void chap_endless(Conn &c)
{
    chap_start(c);
    for (uint8_t id = 1;; ++id) {
        Rsp r;
        r.data = keys({{"CHAP_A", "5"}, {"CHAP_I", std::to_string(id)}, {"CHAP_C", chap::encode_hex(CHALLENGE)}});
        c.send(r);
        c.recv();
    }
}

// Operational stage: the C bit forever, with no data.
void continue_endless(Conn &c)
{
    security_none(c);
    for (;;) {
        c.recv();
        Rsp r;
        r.c = true;
        r.csg = pdu::OPERATIONAL;
        c.send(r);
    }
}

// Operational stage: the C bit with 8 KiB of keys each time (more text
// than a login may hold, before the exchange limit).
void continue_flood(Conn &c)
{
    security_none(c);
    for (int i = 0;; ++i) {
        c.recv();
        Rsp r;
        r.c = true;
        r.csg = pdu::OPERATIONAL;
        r.data = keys({{"X-org.example.Pad" + std::to_string(i), std::string(8150, 'p')}});
        c.send(r);
    }
}

// Operational stage: answers without T forever.
void nontransit_endless(Conn &c)
{
    security_none(c);
    for (;;) {
        c.recv();
        Rsp r;
        r.csg = pdu::OPERATIONAL;
        c.send(r);
    }
}

// Operational stage without T forever, each answer 0.6 s late: every
// response is within a 1 s PDU timeout, the login never ends.
void slow_drip(Conn &c)
{
    security_none(c);
    for (;;) {
        c.recv();
        usleep(600 * 1000);
        Rsp r;
        r.csg = pdu::OPERATIONAL;
        c.send(r);
    }
}

void half_bhs_silence(Conn &c)
{
    c.recv();
    auto out = c.encode(Rsp{});
    write_all(c.fd(), out.data(), pdu::BHS_LEN / 2);
    c.silence();
}

void half_bhs_close(Conn &c)
{
    c.recv();
    auto out = c.encode(Rsp{});
    write_all(c.fd(), out.data(), pdu::BHS_LEN / 2);
}

void bhs_then_close(Conn &c)
{
    c.recv();
    Rsp r;
    r.dlen = 100;
    auto out = c.encode(r);
    write_all(c.fd(), out.data(), pdu::BHS_LEN);
}

void silence(Conn &c) { c.silence(); }

// A good first response, one byte a second.
void slowloris(Conn &c)
{
    c.recv();
    auto out = c.encode(with_data(keys({{"AuthMethod", "None"}})));
    for (uint8_t b : out) {
        write_all(c.fd(), &b, 1);
        sleep(1);
    }
    c.silence();
}

void wrong_opcode(Conn &c)
{
    Rsp r;
    r.opcode = 0x20; // NOP-In
    first_answer(c, r);
}

void reject(Conn &c)
{
    Rsp r;
    r.opcode = pdu::OP_REJECT;
    first_answer(c, r);
}

void wrong_itt(Conn &c)
{
    Rsp r = with_data(keys({{"AuthMethod", "None"}}));
    r.itt = 0xdeadbeef;
    first_answer(c, r);
}

// StatSN jumps between responses: tolerated (open-iscsi also just
// follows the target's StatSN), ExpStatSN must follow the last one.
void statsn_jump(Conn &c)
{
    Rsp r = with_data(keys({{"AuthMethod", "None"}}));
    r.statsn = 100;
    first_answer(c, r);
    c.recv();
    Rsp f;
    f.t = true;
    f.csg = pdu::OPERATIONAL;
    f.nsg = pdu::FULL_FEATURE;
    f.tsih = 0x1234;
    f.statsn = 5000;
    c.send(f);
}

void version_mismatch(Conn &c)
{
    Rsp r = with_data(keys({{"AuthMethod", "None"}}));
    r.version_active = 1;
    first_answer(c, r);
}

void isid_mismatch(Conn &c)
{
    Rsp r = with_data(keys({{"AuthMethod", "None"}}));
    r.isid = pdu::Isid{0x40, 0, 0, 0, 0, 1};
    first_answer(c, r);
}

// TSIH set before the final response and changed in it: tolerated, the
// final one counts (as with open-iscsi).
void tsih_change(Conn &c)
{
    Rsp r = with_data(keys({{"AuthMethod", "None"}}));
    r.tsih = 7;
    first_answer(c, r);
    operational_final(c, 9);
}

void key_no_equals(Conn &c) { first_answer(c, with_data(std::string("AuthMethodNone\0", 15))); }
void key_huge(Conn &c) { first_answer(c, with_data(keys({{std::string(100, 'K'), "1"}}))); }
void value_huge(Conn &c) { first_answer(c, with_data(keys({{"TargetAlias", std::string(9000, 'v')}}))); }
void key_non_utf8(Conn &c) { first_answer(c, with_data(keys({{"Auth\xff\xfeMethod", "None"}}))); }

// Bytes that are not UTF-8 and a terminal escape in a value we report.
void value_non_utf8(Conn &c)
{
    operational_answer(c, with_data(keys({{"HeaderDigest", "\xff\xfe\x1b[2J\x1b]0;pwned\x07None"}})));
}

// The last key without its NUL (the data segment ends right after it):
// tolerated, as some targets do it.
void missing_nul(Conn &c)
{
    security_none(c);
    c.recv();
    Rsp r;
    r.t = true;
    r.csg = pdu::OPERATIONAL;
    r.nsg = pdu::FULL_FEATURE;
    r.tsih = 0x1234;
    r.data = std::string("HeaderDigest=None\0MaxRecvDataSegmentLength=8192", 47);
    c.send(r);
}

void duplicate_key(Conn &c)
{
    first_answer(c, with_data(std::string("AuthMethod=None\0AuthMethod=None\0", 32)));
}

void mrdsl_zero(Conn &c) { operational_answer(c, with_data(keys({{"MaxRecvDataSegmentLength", "0"}}))); }
void mrdsl_2e32(Conn &c) { operational_answer(c, with_data(keys({{"MaxRecvDataSegmentLength", "4294967296"}}))); }

// CHAP challenges with one bad field each.
void chap_challenge(Conn &c, const std::string &a, const std::string &i, const std::string &chal)
{
    chap_start(c);
    Rsp r;
    r.data = keys({{"CHAP_A", a}, {"CHAP_I", i}, {"CHAP_C", chal}});
    c.send(r);
    c.silence();
}

void chap_a_unoffered(Conn &c) { chap_challenge(c, "7", "1", chap::encode_hex(CHALLENGE)); }
void chap_c_long(Conn &c) { chap_challenge(c, "5", "1", chap::encode_hex(chap::Bytes(2048, 0xab))); }
void chap_c_bad_hex(Conn &c) { chap_challenge(c, "5", "1", "0x12zz"); }
void chap_c_empty(Conn &c) { chap_challenge(c, "5", "1", "0x"); }
void chap_i_256(Conn &c) { chap_challenge(c, "5", "256", chap::encode_hex(CHALLENGE)); }
void chap_i_negative(Conn &c) { chap_challenge(c, "5", "-1", chap::encode_hex(CHALLENGE)); }

// An odd number of hex digits is legal (RFC 7143 6.1: a leading nibble);
// the initiator must answer for the challenge {0x0a, 0xbc}.
void chap_c_odd_hex(Conn &c)
{
    chap_start(c);
    Rsp r;
    r.data = keys({{"CHAP_A", "5"}, {"CHAP_I", "33"}, {"CHAP_C", "0xabc"}});
    c.send(r);
    chap_finish(c, 33, {0x0a, 0xbc});
    operational_final(c);
}

// A correct login, for checking the tool and the test's setup.
void good(Conn &c)
{
    security_none(c);
    operational_final(c);
}

struct Scenario {
    const char *name;
    void (*play)(Conn &);
};

// Discovery scenarios, for tests/integration/discovery.sh: the discovery
// login, then `all` as the SendTargets answer, then the Logout. The answer
// comes in two Text Responses cut inside a pair (F=0 with a TTT, then,
// asked for the rest with that TTT, F=1), one when it is empty.
void sendtargets_answer(Conn &c, const std::string &all)
{
    // The login, from whichever stage the initiator starts in: iscsiadm
    // without CHAP skips the security stage (CSG 1 at once).
    Req q;
    do {
        q = c.recv();
        Rsp l;
        l.t = true;
        l.csg = q.csg();
        l.nsg = q.csg() == pdu::SECURITY ? pdu::OPERATIONAL : pdu::FULL_FEATURE;
        l.tsih = 0x1234;
        l.data = q.csg() == pdu::SECURITY ? keys({{"AuthMethod", "None"}, {"TargetPortalGroupTag", "1"}})
                                          : keys({{"HeaderDigest", "None"}, {"DataDigest", "None"}});
        c.send(l);
    } while (q.csg() == pdu::SECURITY);
    q = c.recv();
    if (!q.key("SendTargets") || (q.bhs[0] & pdu::OPCODE_MASK) != 0x04)
        peer_gone();
    const std::size_t cut = all.size() / 2;
    Rsp r;
    r.opcode = 0x24; // Text Response
    if (!all.empty()) {
        r.ttt = 0x5157;
        r.data = all.substr(0, cut);
        c.send(r);
        q = c.recv();
        if (get32(q.bhs + 20) != 0x5157)
            peer_gone();
    }
    r.t = true; // the F bit
    r.ttt = 0xffffffff;
    r.data = all.substr(cut);
    c.send(r);
    q = c.recv();
    if ((q.bhs[0] & pdu::OPCODE_MASK) == 0x06) { // Logout Request
        Rsp l;
        l.opcode = 0x26;
        l.t = true;
        c.send(l);
    }
    c.silence();
}

// What tgt never sends (it lists each target once, at the address asked,
// tag 1): a target with two portals (tags 1 and 2), one with an IPv6
// portal, and one with no TargetAddress (reached at the portal asked).
void sendtargets_portals(Conn &c)
{
    const std::string all = keys({{"TargetName", "iqn.2026-11.test.iscsiroot:two-portals"},
                                  {"TargetAddress", "127.0.0.1:3260,1"},
                                  {"TargetAddress", "127.0.0.2:3261,2"},
                                  {"TargetName", "iqn.2026-11.test.iscsiroot:ipv6"},
                                  {"TargetAddress", "[2001:db8::1]:3262,3"},
                                  {"TargetName", "iqn.2026-11.test.iscsiroot:no-address"}});
    sendtargets_answer(c, all);
}

// No target for us: an empty SendTargets answer (tgt without targets
// closes the connection instead).
void sendtargets_empty(Conn &c) { sendtargets_answer(c, {}); }

// A discovery login redirected (status 0101, TargetAddress this listener):
// the first connection gets the redirect, the next ones play
// sendtargets-portals. The test counts the connections.
void sendtargets_redirect(Conn &c)
{
    if (g_connection == 1) {
        first_answer(c, status(0x01, 0x01, keys({{"TargetAddress", "127.0.0.1:" + std::to_string(g_port) + ",1"}})));
        return;
    }
    sendtargets_portals(c);
}

const Scenario scenarios[] = {
    {"good", good},
    {"sendtargets-redirect", sendtargets_redirect},
    {"sendtargets-portals", sendtargets_portals},
    {"sendtargets-empty", sendtargets_empty},
    {"oversized-16m", oversized_16m},
    {"oversized-64k", oversized_64k},
    {"status-05", status_05},
    {"status-ff", status_ff},
    {"redirect-no-address", redirect_no_address},
    {"initiator-error", initiator_error},
    {"target-error", target_error},
    {"redirect-loop", redirect_loop},
    {"chap-endless", chap_endless},
    {"continue-endless", continue_endless},
    {"continue-flood", continue_flood},
    {"nontransit-endless", nontransit_endless},
    {"slow-drip", slow_drip},
    {"half-bhs-silence", half_bhs_silence},
    {"half-bhs-close", half_bhs_close},
    {"bhs-then-close", bhs_then_close},
    {"silence", silence},
    {"slowloris", slowloris},
    {"wrong-opcode", wrong_opcode},
    {"reject", reject},
    {"wrong-itt", wrong_itt},
    {"statsn-jump", statsn_jump},
    {"version-mismatch", version_mismatch},
    {"isid-mismatch", isid_mismatch},
    {"tsih-change", tsih_change},
    {"key-no-equals", key_no_equals},
    {"key-huge", key_huge},
    {"value-huge", value_huge},
    {"key-non-utf8", key_non_utf8},
    {"value-non-utf8", value_non_utf8},
    {"missing-nul", missing_nul},
    {"duplicate-key", duplicate_key},
    {"mrdsl-zero", mrdsl_zero},
    {"mrdsl-2e32", mrdsl_2e32},
    {"chap-a-unoffered", chap_a_unoffered},
    {"chap-c-long", chap_c_long},
    {"chap-c-bad-hex", chap_c_bad_hex},
    {"chap-c-empty", chap_c_empty},
    {"chap-c-odd-hex", chap_c_odd_hex},
    {"chap-i-256", chap_i_256},
    {"chap-i-negative", chap_i_negative},
};

} // namespace

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (const auto &s : scenarios)
            printf("%s\n", s.name);
        return 0;
    }
    const Scenario *sc = nullptr;
    for (const auto &s : scenarios)
        if (argc >= 2 && strcmp(argv[1], s.name) == 0)
            sc = &s;
    if (argc < 2 || argc > 3 || !sc) {
        fprintf(stderr, "usage: hostile_target SCENARIO [PORT] | --list\n");
        return 2;
    }
    int port = argc == 3 ? atoi(argv[2]) : 0;

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // loopback only, always
    socklen_t sl = sizeof sa;
    if (ls < 0 || bind(ls, (sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 16) != 0 ||
        getsockname(ls, (sockaddr *)&sa, &sl) != 0) {
        perror("hostile_target: listen on 127.0.0.1");
        return 1;
    }
    g_port = ntohs(sa.sin_port);
    printf("port %u\n", g_port);
    fflush(stdout);

    signal(SIGCHLD, SIG_IGN); // no zombies
    pid_t parent = getpid();
    for (unsigned n = 1;; ++n) {
        int fd = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        printf("connection %u\n", n);
        g_connection = n;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            // Die with the listener, and in any case within a minute.
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(0);
            alarm(60);
            close(ls);
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            Conn c(fd);
            sc->play(c);
            shutdown(fd, SHUT_RDWR);
            _exit(0);
        }
        close(fd);
    }
}
