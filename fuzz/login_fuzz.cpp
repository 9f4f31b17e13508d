// libFuzzer target: the login state machine (class Login, with CHAP) driven
// by a scripted target. Every isr::Error is an accepted outcome; a crash,
// hang, leak or UBSan report is a bug, and so is a request that is not a
// well-formed Login Request or that carries a CHAP secret, or a secret in
// an error message.
//
// Input layout:
//   byte 0  configuration: bits 0-1 auth (0 none, 1 CHAP, 2 mutual CHAP,
//           3 mutual CHAP without username_in), bit 2 tpgt=1 given (-g),
//           bit 3 InitiatorAlias, bit 4 RandomFn gives the seed byte over
//           and over (else a xorshift stream from the seed), bits 5-7
//           one of 8 operational-parameter sets
//   byte 1  CHAP_A list: bits 0-3 pick MD5=5, SHA1=6, SHA256=7, SHA3-256=8
//           (none: the default, MD5), bits 4-5 rotate it, bit 6 reverses
//   byte 2  seed of the RandomFn, and the session's CmdSN
//   byte 3  fix-ups applied to every response, so mutations need not
//           guess what the state machine checks:
//             0x01 opcode Login Response
//             0x02 ITT 0 and the request's ISID
//             0x04 CSG of the request
//             0x08 T and NSG of the request (the target agrees to move)
//             0x10 StatSN, ExpCmdSN, MaxCmdSN from the request's numbers
//             0x20 version-active 0
//             0x40 when the request carried our mutual-CHAP challenge:
//                  add CHAP_N (username_in) and the right CHAP_R unless
//                  the data has them
//             0x80 status 0000
//   byte 4  framing: bit 0 clear: the rest is the target's byte stream
//           (BHS, AHS, data, padding, as pdu::recv_pdu reads it; the last
//           data segment is cut to what is there); set: the rest is split
//           at each "\xffPDU", every piece is a BHS (zero-filled to 48
//           bytes) and its data, and DataSegmentLength is set to match.
// A REDIRECT starts a new Login with the next responses, as login_once
// does (at most 8 times); DONE or an error ends the run.
#include "../iscsistart/login/chap.hpp"
#include "../iscsistart/login/login.hpp"
#include "../iscsistart/login/pdu.hpp"
#include "../iscsistart/login/text_keys.hpp"
#include "util/errors.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace isr;

namespace {

// Longer than any target text an error message quotes (printable() cuts
// at 64 bytes), and with '=' so that no key name can equal them.
const char PASSWORD[] = "fuzz-out=secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz";
const char PASSWORD_IN[] = "fuzz-in=secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz";
const char USERNAME_IN[] = "iqn.2026-11.test:target";
const pdu::Isid ISID = {0x80, 0x12, 0x34, 0x56, 0x00, 0x01};
const char SEP[] = "\xffPDU";
constexpr std::size_t SEP_LEN = 4;
constexpr std::size_t MAX_LOGIN_DATA = 64 * 1024; // as login/client.cpp
constexpr int MAX_REDIRECTS = 8;

void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

// Build with -DLOGIN_FUZZ_TRACE to see where each input ends (when
// writing seeds): build/fuzz/login_fuzz -runs=0 fuzz/corpus/login/x.bin
#ifdef LOGIN_FUZZ_TRACE
#define trace(...) fprintf(stderr, __VA_ARGS__)
#else
#define trace(...) ((void)0)
#endif

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

void check_no_secret(std::string_view s) { check(!contains(s, PASSWORD) && !contains(s, PASSWORD_IN)); }

uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = (v >> 16) & 0xff;
    p[2] = (v >> 8) & 0xff;
    p[3] = v & 0xff;
}

void set_op_params(OperationalParams &op, unsigned variant)
{
    switch (variant) {
    case 0: break;
    case 1: op.header_digest = "CRC32C,None"; op.data_digest = "None,CRC32C"; break;
    case 2: op.header_digest = "CRC32C"; op.data_digest = "CRC32C"; break;
    case 3: op.initial_r2t = true; op.immediate_data = false; break;
    case 4: op.max_recv_dlength = 512; op.max_burst = 512; op.first_burst = 512; break;
    case 5: op.error_recovery_level = 2; op.max_connections = 4; op.max_outstanding_r2t = 8; break;
    case 6:
        op.default_time2wait = 0;
        op.default_time2retain = 3600;
        op.data_pdu_in_order = false;
        op.data_sequence_in_order = false;
        break;
    default: op.max_recv_dlength = 16777215; op.max_burst = 16777215; op.first_burst = 16777215; break;
    }
}

LoginConfig make_config(uint8_t c, uint8_t algs)
{
    LoginConfig cfg;
    cfg.initiator_name = "iqn.2026-11.test:fuzz-initiator";
    cfg.target_name = "iqn.2026-11.test:fuzz-target";
    if (c & 0x04)
        cfg.tpgt = 1;
    if (c & 0x08)
        cfg.initiator_alias = "fuzz";
    unsigned auth = c & 3;
    if (auth != 0) {
        cfg.auth.username = "iqn.2026-11.test:fuzz-initiator";
        cfg.auth.password = Secret(PASSWORD);
    }
    if (auth >= 2) {
        cfg.auth.password_in = Secret(PASSWORD_IN);
        if (auth == 2)
            cfg.auth.username_in = USERNAME_IN;
    }
    set_op_params(cfg.op, c >> 5);

    std::vector<int> list;
    for (std::size_t i = 0; i < std::size(chap::ALGORITHMS) && i < 4; ++i)
        if (algs & (1 << i))
            list.push_back(chap::ALGORITHMS[i].chap_a);
    if (!list.empty()) {
        std::rotate(list.begin(), list.begin() + ((algs >> 4) & 3) % list.size(), list.end());
        if (algs & 0x40)
            std::reverse(list.begin(), list.end());
        cfg.auth.chap_algs = list;
    }
    return cfg;
}

Login::RandomFn make_random(uint8_t seed, bool constant)
{
    if (constant)
        return [seed](std::size_t n) { return chap::Bytes(n, seed); };
    auto state = std::make_shared<uint32_t>(0x9e3779b9u ^ (uint32_t)seed << 8 ^ seed);
    return [state](std::size_t n) {
        chap::Bytes b(n);
        for (auto &x : b) {
            uint32_t s = *state;
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            *state = s;
            x = (uint8_t)s;
        }
        return b;
    };
}

// One response of the scripted target: BHS and unpadded data.
struct Piece {
    uint8_t bhs[pdu::BHS_LEN];
    std::vector<uint8_t> data;
};

// Cuts the input into responses, one per call.
class Script {
public:
    Script(const uint8_t *p, std::size_t n, bool split) : p_(p), n_(n), split_(split) {}

    bool next(Piece &out)
    {
        if (pos_ >= n_ || (!split_ && n_ - pos_ < pdu::BHS_LEN))
            return false;
        const uint8_t *p = p_ + pos_;
        std::size_t left = n_ - pos_;
        if (split_) {
            std::string_view rest(reinterpret_cast<const char *>(p), left);
            std::size_t end = rest.find(std::string_view(SEP, SEP_LEN));
            std::size_t len = end == std::string_view::npos ? left : end;
            pos_ += end == std::string_view::npos ? left : end + SEP_LEN;
            memset(out.bhs, 0, sizeof out.bhs);
            memcpy(out.bhs, p, std::min(len, pdu::BHS_LEN));
            out.data.assign(p + std::min(len, pdu::BHS_LEN), p + len);
            std::size_t d = out.data.size();
            out.bhs[5] = (d >> 16) & 0xff;
            out.bhs[6] = (d >> 8) & 0xff;
            out.bhs[7] = d & 0xff;
            return true;
        }
        memcpy(out.bhs, p, pdu::BHS_LEN);
        std::size_t ahs = (std::size_t)pdu::total_ahs_length(out.bhs) * 4;
        std::size_t dlen = pdu::data_segment_length(out.bhs);
        if (dlen > MAX_LOGIN_DATA) // recv_pdu refuses it before reading on
            return false;
        std::size_t off = pdu::BHS_LEN + std::min(ahs, left - pdu::BHS_LEN);
        std::size_t take = std::min(dlen, left - off);
        out.data.assign(p + off, p + off + take);
        pos_ += std::min(left, off + dlen + pdu::pad_len(dlen));
        return true;
    }

private:
    const uint8_t *p_;
    std::size_t n_;
    bool split_;
    std::size_t pos_ = 0;
};

bool has_key(const std::vector<uint8_t> &data, std::string_view key)
{
    std::string_view s(reinterpret_cast<const char *>(data.data()), data.size());
    std::string k = std::string(key) + "=";
    return s.substr(0, k.size()) == k || contains(s, std::string(1, '\0') + k);
}

void fix_up(Piece &pc, uint8_t fix, const Login::Request &req, const LoginConfig &cfg, int chap_alg)
{
    uint8_t *b = pc.bhs;
    if (fix & 0x01)
        b[0] = pdu::OP_LOGIN_RSP;
    if (fix & 0x02) {
        memset(b + 16, 0, 4);
        memcpy(b + 8, req.bhs.data() + 8, 6);
    }
    if (fix & 0x04)
        b[1] = (uint8_t)((b[1] & ~0x0c) | (req.bhs[1] & 0x0c));
    if (fix & 0x08)
        b[1] = (uint8_t)((b[1] & ~0x83) | (req.bhs[1] & 0x83));
    if (fix & 0x10) {
        uint32_t cmdsn = get32(req.bhs.data() + 24), exp_statsn = get32(req.bhs.data() + 28);
        put32(b + 24, exp_statsn);
        put32(b + 28, cmdsn);
        put32(b + 32, cmdsn);
    }
    if (fix & 0x20)
        b[3] = 0;
    if (fix & 0x80)
        b[36] = b[37] = 0;
    if (fix & 0x40) {
        const std::string *id = text::find(req.keys, "CHAP_I");
        const std::string *c = text::find(req.keys, "CHAP_C");
        auto chal = c ? chap::decode_binary(*c) : std::nullopt;
        if (id && chal && chap::digest_size(chap_alg)) {
            // Our own keys go first, so a target key after them is parsed
            // as the mutation made it.
            std::vector<uint8_t> ours;
            if (!has_key(pc.data, "CHAP_N"))
                text::append(ours, "CHAP_N", cfg.auth.username_in.empty() ? "any" : cfg.auth.username_in);
            if (!has_key(pc.data, "CHAP_R")) {
                auto r = chap::response(chap_alg, (uint8_t)std::stoi(*id), cfg.auth.password_in, *chal);
                text::append(ours, "CHAP_R", chap::encode_hex(r));
            }
            pc.data.insert(pc.data.begin(), ours.begin(), ours.end());
        }
        std::size_t d = pc.data.size();
        b[5] = (d >> 16) & 0xff;
        b[6] = (d >> 8) & 0xff;
        b[7] = d & 0xff;
    }
}

void check_request(const Login::Request &req)
{
    check(req.bhs[0] == (pdu::IMMEDIATE_BIT | pdu::OP_LOGIN_REQ));
    check(pdu::data_segment_length(req.bhs.data()) == req.data.size());
    check(memcmp(req.bhs.data() + 8, ISID.data(), 6) == 0);
    bool t = req.bhs[1] & pdu::FLAG_TRANSIT;
    check(!(t && (req.bhs[1] & pdu::FLAG_CONTINUE)));
    if (t)
        check((req.bhs[1] & 3) > ((req.bhs[1] >> 2) & 3) && (req.bhs[1] & 3) != 2);
    check(text::parse(req.data.data(), req.data.size()) == req.keys);
    check_no_secret(std::string_view(reinterpret_cast<const char *>(req.data.data()), req.data.size()));
    check_no_secret(text::describe(req.keys));
}

// One connection's login; returns true to go on with a new Login
// (redirect).
bool run(const LoginConfig &cfg, const Login::RandomFn &rnd, uint32_t cmdsn, uint8_t fix, Script &script)
{
    Login login(cfg, ISID, cmdsn, rnd);
    int chap_a = 0, chap_alg = 0; // last CHAP_A seen; the one we answered
    Piece pc;
    for (;;) {
        Login::Request req = login.next_request();
        check_request(req);
        if (text::find(req.keys, "CHAP_R"))
            chap_alg = chap_a;
        if (!script.next(pc))
            return false;
        fix_up(pc, fix, req, cfg, chap_alg);
        pdu::LoginResponse rsp = pdu::decode_login_response(pc.bhs);
        Login::Outcome o = login.on_response(rsp, pc.data.data(), pc.data.size());
        (void)text::describe(login.last_keys()); // as the debug trace does
        if (const std::string *a = text::find(login.last_keys(), "CHAP_A"))
            chap_a = atoi(a->substr(0, 3).c_str());
        trace("response %zu bytes: %s\n", pc.data.size(), text::describe(login.last_keys()).c_str());
        if (o == Login::Outcome::DONE) {
            trace("done\n");
            const Negotiated &n = login.negotiated();
            check(n.max_xmit_dlength >= 512 && n.max_xmit_dlength <= 16777215);
            check(n.max_recv_dlength == cfg.op.max_recv_dlength);
            check(!((n.immediate_data || !n.initial_r2t) && n.first_burst > n.max_burst));
            check(cfg.tpgt < 0 || n.tpgt < 0 || n.tpgt == cfg.tpgt);
            check(n.exp_statsn == rsp.statsn + 1 && n.tsih == rsp.tsih);
            try {
                login.next_request();
                check(false); // no request after the login completed
            } catch (const Error &) {
            }
            return false;
        }
        if (o == Login::Outcome::REDIRECT) {
            trace("redirect to %s:%u\n", login.redirect().host.c_str(), login.redirect().port);
            check(!login.redirect().host.empty() && login.redirect().port != 0);
            return true;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    const LoginConfig cfg = make_config(data[0], data[1]);
    const Login::RandomFn rnd = make_random(data[2], data[0] & 0x10);
    Script script(data + 5, size - 5, data[4] & 1);
    try {
        for (int redirects = 0; redirects <= MAX_REDIRECTS; ++redirects)
            if (!run(cfg, rnd, data[2], data[3], script))
                break;
    } catch (const Error &e) {
        check_no_secret(e.what());
        check(e.code() != 0);
        trace("error %d: %s\n", e.code(), e.what());
    }
    return 0;
}
