// DHCP message building and parsing (RFC 2131/2132/3396), the IPv4/UDP
// framing, and the lease file (quoting, atomic write). No socket.
#include "test_util.hpp"

#include "../../iscsistart/dhcp/dhcp_exchange.hpp"
#include "../../iscsistart/dhcp/dhcp_packet.hpp"
#include "../../iscsistart/dhcp/lease_file.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace isr;
using namespace isr::dhcp;

namespace {

const Mac MAC = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
const uint32_t XID = 0x12345678;

Bytes opt(uint8_t code, const Bytes &v)
{
    Bytes b = {code, (uint8_t)v.size()};
    b.insert(b.end(), v.begin(), v.end());
    return b;
}
Bytes str(const char *s) { return Bytes(s, s + strlen(s)); }
Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const auto &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A server reply: BOOTREPLY, XID, MAC, yiaddr 10.77.0.53, cookie, then
// `options` verbatim (caller adds END); `sname`/`file` fill those fields.
Bytes reply(const Bytes &options, const Bytes &sname = {}, const Bytes &file = {})
{
    Bytes b(240, 0);
    b[0] = 2;
    b[1] = 1;
    b[2] = 6;
    b[4] = 0x12, b[5] = 0x34, b[6] = 0x56, b[7] = 0x78;
    b[10] = 0x80;
    b[16] = 10, b[17] = 77, b[18] = 0, b[19] = 53;
    memcpy(&b[28], MAC.data(), 6);
    assert_true(sname.size() <= 64 && file.size() <= 128);
    std::copy(sname.begin(), sname.end(), b.begin() + 44);
    std::copy(file.begin(), file.end(), b.begin() + 108);
    b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
    b.insert(b.end(), options.begin(), options.end());
    return b;
}

const Bytes SERVER = opt(54, {10, 77, 0, 1});
Bytes type(uint8_t t) { return opt(53, {t}); }

Bytes full_options(uint8_t t)
{
    return cat({type(t), SERVER, opt(1, {255, 255, 255, 0}), opt(3, {10, 77, 0, 1}),
                opt(6, {10, 77, 0, 1, 10, 77, 0, 2}), opt(12, str("client1")), opt(15, str("example.test")),
                opt(17, str("iscsi:10.77.0.1::::iqn.2026-11.test:root")), opt(26, {0x05, 0xdc}),
                opt(28, {10, 77, 0, 255}), opt(51, {0, 0, 0x0e, 0x10}), opt(203, str("iqn.2026-11.test:client")),
                Bytes{255}});
}

Lease parse(const Bytes &b) { return parse_reply(b.data(), b.size(), XID, MAC); }

std::string text(const net::IpAddress &a) { return a.text(); }

} // namespace

// --- building ---------------------------------------------------------------

static void discover_bytes(void **)
{
    Bytes b = build_discover(MAC, 0xdeadbeef, 3);
    assert_int_equal(b.size(), 300);
    const uint8_t head[] = {1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef, 0, 3, 0x80, 0};
    assert_memory_equal(b.data(), head, sizeof head);
    for (int i = 12; i < 28; ++i) // ciaddr yiaddr siaddr giaddr
        assert_int_equal(b[i], 0);
    assert_memory_equal(&b[28], MAC.data(), 6);
    for (int i = 34; i < 236; ++i) // chaddr padding, sname, file
        assert_int_equal(b[i], 0);
    const uint8_t opts[] = {99, 130, 83, 99,                          // cookie
                            53, 1, 1,                                 // DHCPDISCOVER
                            61, 7, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // client id
                            57, 2, 0x05, 0xdc,                        // max size 1500
                            55, 9, 1, 3, 6, 12, 15, 17, 26, 28, 203,  // parameter list
                            255};
    assert_memory_equal(&b[236], opts, sizeof opts);
    for (std::size_t i = 236 + sizeof opts; i < b.size(); ++i)
        assert_int_equal(b[i], 0);
}

static void request_bytes(void **)
{
    auto req = *net::IpAddress::parse("10.77.0.53");
    auto srv = *net::IpAddress::parse("10.77.0.1");
    Bytes b = build_request(MAC, XID, 0, req, srv);
    assert_int_equal(b.size(), 300);
    const uint8_t head[] = {1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0x80, 0, 0, 0, 0, 0};
    assert_memory_equal(b.data(), head, sizeof head);
    const uint8_t opts[] = {99, 130, 83, 99, 53, 1, 3, 61, 7, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,
                            50, 4, 10, 77, 0, 53,         // requested IP
                            54, 4, 10, 77, 0, 1,          // server id
                            57, 2, 0x05, 0xdc, 55, 9, 1, 3, 6, 12, 15, 17, 26, 28, 203, 255};
    assert_memory_equal(&b[236], opts, sizeof opts);
    EXPECT_ERROR(build_request(MAC, XID, 0, net::IpAddress{}, srv), ISCSI_ERR_INVAL, "REQUEST");
    EXPECT_ERROR(build_request(MAC, XID, 0, req, *net::IpAddress::parse("fd00::1")), ISCSI_ERR_INVAL, "REQUEST");
}

// --- the exchange (RFC 2131 4.4.1) -------------------------------------------

static uint16_t secs_of(const Bytes &m) { return (uint16_t)(m[8] << 8 | m[9]); }
static uint32_t xid_of(const Bytes &m) { return (uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 | m[6] << 8 | m[7]; }
static uint8_t type_of(const Bytes &m) { return m[240] == 53 ? m[242] : 0; } // build() puts 53 first

static void exchange_secs(void **)
{
    Exchange ex(MAC, XID);
    assert_int_equal(ex.state(), Exchange::State::SELECTING);
    Bytes d = ex.next_message(0);
    assert_int_equal(type_of(d), DHCPDISCOVER);
    d = ex.next_message(3); // a retransmission, 3 s after we began
    assert_int_equal(secs_of(d), 3);
    assert_int_equal(ex.attempts(), 2);
    assert_int_equal(ex.receive(parse(reply(full_options(DHCPOFFER)))), Exchange::Event::OFFERED);
    assert_int_equal(ex.state(), Exchange::State::REQUESTING);
    assert_int_equal(ex.attempts(), 0);
    // RFC 2131 4.4.1: "The DHCPREQUEST message MUST use the same value in
    // the DHCP message header's 'secs' field ... as the original
    // DHCPDISCOVER message": 3, not the 5 s that have passed by now, and
    // in every retransmission of the REQUEST too.
    for (uint16_t now : {5, 6, 10}) {
        Bytes r = ex.next_message(now);
        assert_int_equal(type_of(r), DHCPREQUEST);
        assert_int_equal(xid_of(r), XID);
        assert_int_equal(secs_of(r), 3);
        // the REQUEST names the offered address and its server
        const uint8_t want[] = {50, 4, 10, 77, 0, 53, 54, 4, 10, 77, 0, 1};
        assert_memory_equal(&r[252], want, sizeof want);
    }
    // starting over: a new xid, and a DISCOVER counts time again
    ex.restart(XID + 1);
    Bytes d2 = ex.next_message(20);
    assert_int_equal(type_of(d2), DHCPDISCOVER);
    assert_int_equal(xid_of(d2), XID + 1);
    assert_int_equal(secs_of(d2), 20);
}

static void exchange_replies(void **)
{
    Exchange ex(MAC, XID);
    (void)ex.next_message(0);
    Lease ack = parse(reply(full_options(DHCPACK)));
    Lease nak = parse(reply(cat({type(DHCPNAK), SERVER, Bytes{255}})));
    // nothing but an OFFER counts while selecting
    assert_int_equal(ex.receive(ack), Exchange::Event::IGNORED);
    assert_int_equal(ex.receive(nak), Exchange::Event::IGNORED);
    assert_int_equal(ex.receive(parse(reply(full_options(DHCPOFFER)))), Exchange::Event::OFFERED);
    // a second OFFER while requesting is not taken
    Bytes other = reply(cat({type(DHCPOFFER), opt(54, {10, 77, 0, 9}), Bytes{255}}));
    assert_int_equal(ex.receive(parse(other)), Exchange::Event::IGNORED);
    assert_string_equal(text(ex.offer().server_id).c_str(), "10.77.0.1");
    // an ACK or NAK from another server is not ours to take
    Lease ack9 = parse(reply(cat({type(DHCPACK), opt(54, {10, 77, 0, 9}), Bytes{255}})));
    assert_int_equal(ex.receive(ack9), Exchange::Event::IGNORED);
    Lease nak9 = parse(reply(cat({type(DHCPNAK), opt(54, {10, 77, 0, 9}), Bytes{255}})));
    assert_int_equal(ex.receive(nak9), Exchange::Event::IGNORED);
    Lease nak_anon = parse(reply(cat({type(DHCPNAK), Bytes{255}})));
    assert_int_equal(ex.receive(nak_anon), Exchange::Event::NAKED);
    assert_int_equal(ex.receive(nak), Exchange::Event::NAKED);
    assert_int_equal(ex.receive(ack), Exchange::Event::ACKED);
}

// --- parsing ----------------------------------------------------------------

static void parse_offer_and_ack(void **)
{
    for (uint8_t t : {DHCPOFFER, DHCPACK}) {
        Lease l = parse(reply(full_options(t)));
        assert_int_equal(l.type, t);
        assert_string_equal(text(l.your_ip).c_str(), "10.77.0.53");
        assert_int_equal(l.prefix_len, 24);
        assert_int_equal(l.routers.size(), 1);
        assert_string_equal(text(l.routers[0]).c_str(), "10.77.0.1");
        assert_int_equal(l.dns.size(), 2);
        assert_string_equal(text(l.dns[1]).c_str(), "10.77.0.2");
        assert_string_equal(l.hostname.c_str(), "client1");
        assert_string_equal(l.domain.c_str(), "example.test");
        assert_string_equal(l.root_path.c_str(), "iscsi:10.77.0.1::::iqn.2026-11.test:root");
        assert_int_equal(l.mtu, 1500);
        assert_string_equal(text(l.broadcast).c_str(), "10.77.0.255");
        assert_string_equal(l.initiator_name.c_str(), "iqn.2026-11.test:client");
        assert_string_equal(text(l.server_id).c_str(), "10.77.0.1");
        assert_int_equal(l.lease_time, 3600);
    }
}

static void parse_minimal_and_padding(void **)
{
    // PADs anywhere, no END (tolerated), trailing NUL on a string dropped
    Lease l = parse(reply(cat({Bytes{0, 0}, type(DHCPACK), Bytes{0}, SERVER, opt(17, str("iscsi:x\0")), Bytes{0}})));
    assert_int_equal(l.type, DHCPACK);
    assert_int_equal(l.prefix_len, 0);
    assert_true(l.routers.empty());
    assert_false(l.broadcast.set());
    assert_string_equal(l.root_path.c_str(), "iscsi:x");
    // options after END are not read
    l = parse(reply(cat({type(DHCPACK), SERVER, Bytes{255}, opt(12, str("late"))})));
    assert_true(l.hostname.empty());
}

static void parse_nak(void **)
{
    Bytes b = reply(cat({type(DHCPNAK), SERVER, opt(56, str("wrong network")), Bytes{255}}));
    b[16] = b[17] = b[18] = b[19] = 0; // NAK has no yiaddr
    Lease l = parse(b);
    assert_int_equal(l.type, DHCPNAK);
    assert_string_equal(l.message.c_str(), "wrong network");
    assert_string_equal(text(l.server_id).c_str(), "10.77.0.1");
    assert_false(l.your_ip.set());
}

static void parse_overload(void **)
{
    // 52 = 3: options continue in file, then sname; option 17 is split over
    // all three areas and concatenated in that order (RFC 3396).
    Bytes file = cat({opt(17, str("10.77.0.1::::")), opt(52, {1}) /* ignored here */, Bytes{255}});
    Bytes sname = cat({opt(17, str("iqn.2026-11.test:root")), opt(12, str("h1")), Bytes{255}});
    Lease l = parse(reply(cat({type(DHCPACK), opt(52, {3}), opt(17, str("iscsi:")), SERVER, Bytes{255}}), sname, file));
    assert_string_equal(l.root_path.c_str(), "iscsi:10.77.0.1::::iqn.2026-11.test:root");
    assert_string_equal(l.hostname.c_str(), "h1");
    // 52 = 1: sname is a server name, not options
    l = parse(reply(cat({type(DHCPACK), opt(52, {1}), SERVER, Bytes{255}}), sname, file));
    assert_string_equal(l.root_path.c_str(), "10.77.0.1::::");
    assert_true(l.hostname.empty());
    // 52 = 2: only sname
    l = parse(reply(cat({type(DHCPACK), opt(52, {2}), SERVER, Bytes{255}}), sname, file));
    assert_string_equal(l.root_path.c_str(), "iqn.2026-11.test:root");
    // no 52: neither area is read
    l = parse(reply(cat({type(DHCPACK), SERVER, Bytes{255}}), sname, file));
    assert_true(l.root_path.empty());
    // the message type itself may sit in file
    l = parse(reply(cat({opt(52, {1}), SERVER, Bytes{255}}), {}, cat({type(DHCPOFFER), Bytes{255}})));
    assert_int_equal(l.type, DHCPOFFER);
    EXPECT_ERROR(parse(reply(cat({type(DHCPACK), opt(52, {4}), SERVER, Bytes{255}}))), ISCSI_ERR_INVAL,
                 "option overload (option 52) value 4");
    EXPECT_ERROR(parse(reply(cat({type(DHCPACK), opt(52, {1, 1}), SERVER, Bytes{255}}))), ISCSI_ERR_INVAL,
                 "option overload (option 52) has length 2");
    // a truncated option in file is named with its area
    Bytes badfile(128, 0);
    badfile[126] = 12, badfile[127] = 5;
    EXPECT_ERROR(parse(reply(cat({type(DHCPACK), opt(52, {1}), SERVER, Bytes{255}}), {}, badfile)),
                 ISCSI_ERR_INVAL, "option 12 in file is truncated");
}

static void parse_concatenated(void **)
{
    Lease l = parse(reply(cat({type(DHCPOFFER), opt(6, {10, 0, 0, 1}), SERVER, opt(17, str("iscsi:10.0.0.9:")),
                               opt(6, {10, 0, 0, 2}), opt(17, str(":::iqn.x")), Bytes{255}})));
    assert_int_equal(l.dns.size(), 2);
    assert_string_equal(text(l.dns[0]).c_str(), "10.0.0.1");
    assert_string_equal(text(l.dns[1]).c_str(), "10.0.0.2");
    assert_string_equal(l.root_path.c_str(), "iscsi:10.0.0.9::::iqn.x");
    // an address list split mid-address is fine once joined
    l = parse(reply(cat({type(DHCPOFFER), SERVER, opt(3, {10, 0}), opt(3, {0, 1}), Bytes{255}})));
    assert_string_equal(text(l.routers[0]).c_str(), "10.0.0.1");
    // a string longer than 255 bytes, split over two options
    std::string longpath = "iscsi:10.0.0.9::::" + std::string(300, 'a');
    Bytes lp = str(longpath.c_str());
    l = parse(reply(cat({type(DHCPOFFER), SERVER, opt(17, Bytes(lp.begin(), lp.begin() + 200)),
                         opt(17, Bytes(lp.begin() + 200, lp.end())), Bytes{255}})));
    assert_string_equal(l.root_path.c_str(), longpath.c_str());
    // a mask split so the joined value has the wrong length: dropped
    l = parse(reply(cat({type(DHCPOFFER), SERVER, opt(1, {255, 255, 255, 0}), opt(1, {0}), Bytes{255}})));
    assert_int_equal(l.prefix_len, 0);
    assert_int_equal(l.warnings.size(), 1);
    assert_string_equal(l.warnings[0].c_str(), "dhcp: ignoring subnet mask (option 1): has length 5, want 4");
}

static void parse_truncated(void **)
{
    // a length running past the end of the packet
    Bytes b = reply(cat({type(DHCPOFFER), SERVER, Bytes{17, 40, 'i', 's'}}));
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "option 17 in options is truncated (length 40, 2 bytes left)");
    // a code without its length byte
    b = reply(cat({type(DHCPOFFER), SERVER, Bytes{12}}));
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "option 12 in options has no length byte");
    // every cut of a valid reply is rejected or parsed, never read past
    Bytes full = reply(full_options(DHCPACK));
    for (std::size_t n = 0; n < full.size(); ++n) {
        std::vector<uint8_t> cut(full.begin(), full.begin() + (std::ptrdiff_t)n); // exact-size heap copy
        try {
            parse_reply(cut.data(), cut.size(), XID, MAC);
        } catch (const Error &e) {
            assert_int_equal(e.code(), ISCSI_ERR_INVAL);
        }
    }
    EXPECT_ERROR(parse_reply(full.data(), 239, XID, MAC), ISCSI_ERR_INVAL, "shorter than a DHCP header");
    EXPECT_ERROR(parse_reply(nullptr, 0, XID, MAC), ISCSI_ERR_INVAL, "shorter");
}

static void parse_header_checks(void **)
{
    Bytes good = reply(full_options(DHCPOFFER));
    Bytes b = good;
    b[239] = 98;
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "bad magic cookie");
    EXPECT_ERROR(parse_reply(good.data(), good.size(), XID + 1, MAC), ISCSI_ERR_INVAL, "xid does not match");
    Mac other = MAC;
    other[5] ^= 1;
    EXPECT_ERROR(parse_reply(good.data(), good.size(), XID, other), ISCSI_ERR_INVAL, "chaddr is not our MAC");
    b = good;
    b[0] = 1;
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "op 1 is not BOOTREPLY");
    b = good;
    b[2] = 16;
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "is not Ethernet");
    b = good;
    b[16] = b[17] = b[18] = b[19] = 0;
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "yiaddr 0.0.0.0 is not a usable address");
    b[16] = 224, b[19] = 1;
    EXPECT_ERROR(parse(b), ISCSI_ERR_INVAL, "yiaddr 224.0.0.1");
    EXPECT_ERROR(parse(reply(cat({type(DHCPOFFER), Bytes{255}}))), ISCSI_ERR_INVAL,
                 "no server identifier (option 54)");
    EXPECT_ERROR(parse(reply(cat({SERVER, Bytes{255}}))), ISCSI_ERR_INVAL, "no message type (option 53)");
    EXPECT_ERROR(parse(reply(cat({type(DHCPDISCOVER), SERVER, Bytes{255}}))), ISCSI_ERR_INVAL,
                 "message type (option 53) 1 is not OFFER, ACK or NAK");
}

// One malformed optional option drops that option, with one warning line
// naming it and the reason; everything else in the reply is kept.
static void expect_dropped(const Bytes &bad_option, const char *warning, Lease *out = nullptr)
{
    for (uint8_t t : {DHCPOFFER, DHCPACK}) {
        // the full reply first, then the bad copy: RFC 3396 would join two
        // copies of one code, so the good one of that code is left out
        Bytes good = full_options(t);
        Bytes options;
        for (std::size_t i = 0; i < good.size() && good[i] != 255; i += 2 + good[i + 1])
            if (good[i] != bad_option[0])
                options.insert(options.end(), good.begin() + (std::ptrdiff_t)i,
                               good.begin() + (std::ptrdiff_t)(i + 2 + good[i + 1]));
        options = cat({options, bad_option, Bytes{255}});
        Lease l;
        try {
            l = parse(reply(options));
        } catch (const Error &e) {
            fail_msg("%s: the whole reply was rejected: %s", warning, e.what());
        }
        assert_int_equal(l.type, t);
        assert_string_equal(text(l.your_ip).c_str(), "10.77.0.53");
        assert_string_equal(text(l.server_id).c_str(), "10.77.0.1");
        assert_int_equal(l.lease_time, 3600);
        if (l.warnings.size() != 1)
            fail_msg("%s: %zu warnings", warning, l.warnings.size());
        if (l.warnings[0] != warning)
            fail_msg("warning '%s', want '%s'", l.warnings[0].c_str(), warning);
        // the options that were not bad are all there
        if (bad_option[0] != 12)
            assert_string_equal(l.hostname.c_str(), "client1");
        if (bad_option[0] != 17)
            assert_string_equal(l.root_path.c_str(), "iscsi:10.77.0.1::::iqn.2026-11.test:root");
        if (bad_option[0] != 203)
            assert_string_equal(l.initiator_name.c_str(), "iqn.2026-11.test:client");
        if (bad_option[0] != 1)
            assert_int_equal(l.prefix_len, 24);
        if (out)
            *out = l;
    }
}

static void parse_malformed_optional(void **)
{
    Lease l;
    expect_dropped(opt(1, {255, 0, 255, 0}), "dhcp: ignoring subnet mask (option 1): 255.0.255.0 is not contiguous", &l);
    assert_int_equal(l.prefix_len, 0);
    expect_dropped(opt(1, {255, 255, 255, 1}), "dhcp: ignoring subnet mask (option 1): 255.255.255.1 is not contiguous");
    expect_dropped(opt(1, {0, 255, 255, 255}), "dhcp: ignoring subnet mask (option 1): 0.255.255.255 is not contiguous");
    expect_dropped(opt(1, {255, 255, 255, 0, 0}), "dhcp: ignoring subnet mask (option 1): has length 5, want 4");
    expect_dropped(opt(3, {10, 0, 0, 1, 10}), "dhcp: ignoring routers (option 3): has length 5, want a multiple of 4", &l);
    assert_true(l.routers.empty());
    expect_dropped(opt(3, {}), "dhcp: ignoring routers (option 3): has length 0, want a multiple of 4");
    expect_dropped(opt(6, {}), "dhcp: ignoring DNS servers (option 6): has length 0, want a multiple of 4", &l);
    assert_true(l.dns.empty());
    expect_dropped(opt(6, {10, 0, 0, 1, 10, 0, 0}), "dhcp: ignoring DNS servers (option 6): has length 7, want a multiple of 4");
    expect_dropped(opt(12, str("a\nb")),
                   "dhcp: ignoring hostname (option 12): \"a\\x0ab\" holds control character 0x0a at offset 1", &l);
    assert_true(l.hostname.empty());
    expect_dropped(opt(12, {}), "dhcp: ignoring hostname (option 12): is empty");
    // an escape sequence from the server reaches the log escaped
    expect_dropped(opt(15, str("x\x1b]0;pwned\x07")),
                   "dhcp: ignoring domain name (option 15): \"x\\x1b]0;pwned\\x07\" holds control character 0x1b at "
                   "offset 1", &l);
    assert_true(l.domain.empty());
    expect_dropped(opt(17, Bytes{'a', 0, 'b'}),
                   "dhcp: ignoring root path (option 17): \"a\\x00b\" holds control character 0x00 at offset 1", &l);
    assert_true(l.root_path.empty());
    expect_dropped(opt(26, {5, 220, 0}), "dhcp: ignoring interface MTU (option 26): has length 3, want 2", &l);
    assert_int_equal(l.mtu, 0);
    expect_dropped(opt(26, {0, 67}), "dhcp: ignoring interface MTU (option 26): 67 is below 68", &l);
    assert_int_equal(l.mtu, 0);
    expect_dropped(opt(26, {}), "dhcp: ignoring interface MTU (option 26): has length 0, want 2");
    expect_dropped(opt(28, {10, 0, 0}), "dhcp: ignoring broadcast address (option 28): has length 3, want 4", &l);
    assert_false(l.broadcast.set());
    expect_dropped(opt(56, str("bad\r")),
                   "dhcp: ignoring message (option 56): \"bad\\x0d\" holds control character 0x0d at offset 3", &l);
    assert_true(l.message.empty());
    expect_dropped(opt(203, str("iqn\x7f")),
                   "dhcp: ignoring iSCSI initiator name (option 203): \"iqn\\x7f\" holds control character 0x7f at "
                   "offset 3", &l);
    assert_true(l.initiator_name.empty());
    // MTU 68 is the smallest legal one (RFC 2132 5.1)
    l = parse(reply(cat({type(DHCPACK), SERVER, opt(26, {0, 68}), Bytes{255}})));
    assert_int_equal(l.mtu, 68);
    assert_true(l.warnings.empty());
    // several bad options: one warning each, in a fixed order
    l = parse(reply(cat({type(DHCPACK), SERVER, opt(28, {1}), opt(26, {0, 1}), opt(12, {}), Bytes{255}})));
    assert_int_equal(l.warnings.size(), 3);
    assert_string_equal(l.warnings[0].c_str(), "dhcp: ignoring hostname (option 12): is empty");
    assert_string_equal(l.warnings[1].c_str(), "dhcp: ignoring interface MTU (option 26): 1 is below 68");
    assert_string_equal(l.warnings[2].c_str(), "dhcp: ignoring broadcast address (option 28): has length 1, want 4");
    // a NAK with a bad message is still a NAK
    l = parse(reply(cat({type(DHCPNAK), SERVER, opt(56, str("x\ny")), Bytes{255}})));
    assert_int_equal(l.type, DHCPNAK);
    assert_int_equal(l.warnings.size(), 1);
    // a clean reply has no warnings
    assert_true(parse(reply(full_options(DHCPACK))).warnings.empty());
}

// What the lease cannot do without still rejects the whole message.
static void parse_bad_required(void **)
{
    auto with = [](const Bytes &o) { return reply(cat({type(DHCPACK), SERVER, o, Bytes{255}})); };
    EXPECT_ERROR(parse(with(opt(51, Bytes(8, 1)))), ISCSI_ERR_INVAL, "lease time (option 51) has length 8, want 4");
    EXPECT_ERROR(parse(with(opt(51, {}))), ISCSI_ERR_INVAL, "lease time (option 51) has length 0");
    EXPECT_ERROR(parse(reply(cat({type(DHCPOFFER), SERVER, opt(51, {0, 0, 1}), Bytes{255}}))), ISCSI_ERR_INVAL,
                 "lease time (option 51) has length 3");
    // (with() already holds 53 and 54: a second copy concatenates, RFC 3396)
    EXPECT_ERROR(parse(with(opt(54, Bytes(4, 1)))), ISCSI_ERR_INVAL, "server identifier (option 54) has length 8");
    EXPECT_ERROR(parse(reply(cat({type(DHCPOFFER), opt(54, {10, 77}), Bytes{255}}))), ISCSI_ERR_INVAL,
                 "server identifier (option 54) has length 2, want 4");
    EXPECT_ERROR(parse(reply(cat({type(DHCPNAK), opt(54, {10}), Bytes{255}}))), ISCSI_ERR_INVAL,
                 "server identifier (option 54) has length 1");
    EXPECT_ERROR(parse(with(opt(53, {5}))), ISCSI_ERR_INVAL, "message type (option 53) has length 2");
    EXPECT_ERROR(parse(reply(cat({opt(53, {5, 5}), SERVER, Bytes{255}}))), ISCSI_ERR_INVAL,
                 "message type (option 53) has length 2");
    EXPECT_ERROR(parse(reply(cat({opt(53, {}), SERVER, Bytes{255}}))), ISCSI_ERR_INVAL,
                 "message type (option 53) has length 0");
    // unknown options and ones we do not use are skipped, whatever they hold
    Lease l = parse(with(cat({opt(43, Bytes(255, 0xff)), opt(250, {}), opt(66, {1}), opt(42, {1, 2, 3}),
                              opt(119, {0xc0})})));
    assert_int_equal(l.type, DHCPACK);
    assert_true(l.warnings.empty());
    // 255-byte lengths at the very end
    l = parse(with(opt(15, Bytes(255, 'd'))));
    assert_int_equal(l.domain.size(), 255);
}

static void masks(void **)
{
    for (int p = 0; p <= 32; ++p) {
        net::IpAddress m = prefix_mask((uint8_t)p);
        auto back = mask_prefix(m.bytes.data());
        assert_true(back.has_value());
        assert_int_equal(*back, p);
    }
    assert_string_equal(prefix_mask(24).text().c_str(), "255.255.255.0");
    assert_string_equal(prefix_mask(0).text().c_str(), "0.0.0.0");
    const uint8_t bad1[4] = {255, 255, 0, 255}, bad2[4] = {128, 0, 0, 1};
    assert_false(mask_prefix(bad1).has_value());
    assert_false(mask_prefix(bad2).has_value());
}

// --- framing ----------------------------------------------------------------

// Known answers from outside this code. RFC 1071 3 ("Numerical
// examples"): the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (end-around
// carries included), so the checksum is ~ddf2 = 220d.
static void checksum_rfc1071(void **)
{
    const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(inet_checksum(rfc, sizeof rfc), 0x220d);
    // with its checksum appended the sum checks: all ones, complement 0
    const uint8_t sealed[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x22, 0x0d};
    assert_int_equal(inet_checksum(sealed, sizeof sealed), 0);
    // an odd length pads the last byte with zero on the right (RFC 1071
    // 4.1): 0001 + f203 + f4f5 + f600 = dcfb after the carries, ~dcfb = 2304
    assert_int_equal(inet_checksum(rfc, 7), 0x2304);
    // a partial sum to start from is added in (the UDP pseudo-header)
    assert_int_equal(inet_checksum(rfc, sizeof rfc, 0x0001), (uint16_t)~0xddf3);
    assert_int_equal(inet_checksum(nullptr, 0), 0xffff);
}

// A real IPv4 header: 192.168.0.1 -> 192.168.0.199, UDP, total length
// 0x73, DF, TTL 64; its header checksum is b861 (the standard worked
// example of the IPv4 header checksum).
static void checksum_ipv4_header(void **)
{
    uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    assert_int_equal(inet_checksum(h, 20), 0); // a valid header sums to all ones
    h[10] = h[11] = 0;
    assert_int_equal(inet_checksum(h, 20), 0xb861);
}

static void frame_bytes(void **)
{
    Bytes payload = build_discover(MAC, XID, 0);
    Bytes f = frame_request(payload);
    assert_int_equal(f.size(), 20 + 8 + 300);
    const uint8_t ip[] = {0x45, 0, 0x01, 0x48, 0, 0, 0, 0, 64, 17};
    assert_memory_equal(f.data(), ip, sizeof ip);
    const uint8_t addrs[] = {0, 0, 0, 0, 255, 255, 255, 255};
    assert_memory_equal(&f[12], addrs, 8);
    assert_int_equal(inet_checksum(f.data(), 20), 0); // header checksum valid
    const uint8_t udp[] = {0, 68, 0, 67, 0x01, 0x34};
    assert_memory_equal(&f[20], udp, sizeof udp);
    uint32_t pseudo = 0xffff + 0xffff + 17 + 308;
    assert_int_equal(inet_checksum(&f[20], 308, pseudo), 0); // UDP checksum valid
    assert_memory_equal(&f[28], payload.data(), payload.size());
    // our own request is not for port 68
    assert_false(udp_payload(f.data(), f.size()).has_value());
}

// A server's reply frame: `payload` from 10.77.0.1:67 to 255.255.255.255:68.
static Bytes server_frame(const Bytes &payload)
{
    Bytes f = frame_request(payload);
    f[12] = 10, f[13] = 77, f[14] = 0, f[15] = 1;
    f[20] = 0, f[21] = 67, f[22] = 0, f[23] = 68;
    f[26] = f[27] = 0; // no UDP checksum
    f[10] = f[11] = 0;
    uint16_t c = inet_checksum(f.data(), 20);
    f[10] = (uint8_t)(c >> 8), f[11] = (uint8_t)c;
    return f;
}

// `f` with flags/fragment offset bytes 6-7 set to `hi`,`lo` and the IPv4
// header checksum made valid again.
static Bytes with_flags(const Bytes &f, uint8_t hi, uint8_t lo)
{
    Bytes b = f;
    b[6] = hi, b[7] = lo;
    b[10] = b[11] = 0;
    uint16_t c = inet_checksum(b.data(), 20);
    b[10] = (uint8_t)(c >> 8), b[11] = (uint8_t)c;
    return b;
}

static void frame_filter(void **)
{
    Bytes payload = reply(full_options(DHCPOFFER));
    Bytes f = server_frame(payload);
    auto p = udp_payload(f.data(), f.size());
    assert_true(p.has_value());
    assert_int_equal(p->first, 28);
    assert_int_equal(p->second, payload.size());
    assert_int_equal(*message_xid(f.data() + p->first, p->second), XID);
    // trailing link padding beyond the IP total length is ignored
    Bytes padded = f;
    padded.resize(f.size() + 20, 0);
    auto padded_payload = udp_payload(padded.data(), padded.size());
    assert_true(padded_payload.value_or(std::pair<std::size_t, std::size_t>{0, 0}).second == payload.size());
    // damage: checksum, protocol, fragment, version, lengths
    Bytes b = f;
    b[10] ^= 1;
    assert_false(udp_payload(b.data(), b.size()).has_value());
    // fragments, each with a valid header checksum so that only the
    // fragment check can drop them: MF set (first fragment), an offset
    // (a later one, MF clear), both
    for (auto [hi, lo] : {std::pair<uint8_t, uint8_t>{0x20, 0}, {0x00, 0x01}, {0x20, 0xb9}, {0x1f, 0xff}}) {
        b = with_flags(f, hi, lo);
        assert_int_equal(inet_checksum(b.data(), 20), 0);
        assert_false(udp_payload(b.data(), b.size()).has_value());
    }
    // DF alone is no fragment; resealing a plain copy keeps it acceptable
    assert_true(udp_payload(with_flags(f, 0x40, 0).data(), f.size()).has_value());
    assert_true(udp_payload(with_flags(f, 0, 0).data(), f.size()).has_value());
    assert_false(udp_payload(f.data(), f.size() - 1).has_value()); // total length > received
    assert_false(udp_payload(f.data(), 27).has_value());
    assert_false(udp_payload(nullptr, 0).has_value());
    b = f;
    b[24] = 0xff; // UDP length beyond the IP datagram
    assert_false(udp_payload(b.data(), b.size()).has_value());
    b = f;
    b[24] = 0, b[25] = 7; // UDP length below its header
    assert_false(udp_payload(b.data(), b.size()).has_value());
    assert_false(message_xid(f.data(), 7).has_value());
}

// --- lease file -------------------------------------------------------------

static std::string read_all(const std::string &path)
{
    FILE *f = fopen(path.c_str(), "r");
    assert_non_null(f);
    std::string s;
    char buf[512];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        s.append(buf, n);
    fclose(f);
    return s;
}

static void quoting(void **)
{
    assert_string_equal(shell_quote("").c_str(), "''");
    assert_string_equal(shell_quote("abc").c_str(), "'abc'");
    assert_string_equal(shell_quote("it's").c_str(), "'it'\\''s'");
    assert_string_equal(shell_quote("$(x) `y` \"z\" \\").c_str(), "'$(x) `y` \"z\" \\'");
}

static void lease_text_lines(void **)
{
    Lease l = parse(reply(full_options(DHCPACK)));
    std::string want = "IP='10.77.0.53'\n"
                       "PREFIX='24'\n"
                       "NETMASK='255.255.255.0'\n"
                       "GATEWAY='10.77.0.1'\n"
                       "DNS='10.77.0.1 10.77.0.2'\n"
                       "HOSTNAME='client1'\n"
                       "DOMAIN='example.test'\n"
                       "ROOTPATH='iscsi:10.77.0.1::::iqn.2026-11.test:root'\n"
                       "MTU='1500'\n"
                       "BROADCAST='10.77.0.255'\n"
                       "INITIATOR='iqn.2026-11.test:client'\n"
                       "SERVER='10.77.0.1'\n"
                       "LEASETIME='3600'\n"
                       "INTERFACE='eth0'\n"
                       "METHOD='static'\n"
                       "RENEWTIME=''\n"
                       "REBINDTIME=''\n"
                       "CLIENTID=''\n"
                       "BOUNDAT=''\n";
    assert_string_equal(lease_text(l, "eth0").c_str(), want.c_str());
    Lease empty;
    std::string e = lease_text(empty, "eth1");
    assert_non_null(strstr(e.c_str(), "IP=''\nPREFIX=''\nNETMASK=''\nGATEWAY=''\n"));
    assert_non_null(strstr(e.c_str(), "INTERFACE='eth1'\n"));
    // credentials in a dracut-style root path stay out of the file
    l.root_path = "iscsi:user:Secret-1:tuser:Secret-2@10.77.0.1::::iqn.2026-11.test:root";
    e = lease_text(l, "eth0");
    assert_non_null(strstr(e.c_str(), "ROOTPATH='iscsi:********@10.77.0.1::::iqn.2026-11.test:root'\n"));
    assert_null(strstr(e.c_str(), "Secret"));
    // an IPv6 address has no dotted netmask
    l.your_ip = *net::IpAddress::parse("fd00::2");
    l.prefix_len = 64;
    assert_non_null(strstr(lease_text(l, "eth0").c_str(), "PREFIX='64'\nNETMASK=''\n"));
}

// ip= and the iBFT: a static record, no server, lease time or root path
static void static_lease_text(void **)
{
    auto a = *net::IpAddress::parse("10.77.0.2"), gw = *net::IpAddress::parse("10.77.0.1");
    std::string t = lease_text(static_lease(a, 24, gw, {gw}, "host1"), "ens2");
    assert_string_equal(t.c_str(), "IP='10.77.0.2'\nPREFIX='24'\nNETMASK='255.255.255.0'\nGATEWAY='10.77.0.1'\n"
                                   "DNS='10.77.0.1'\nHOSTNAME='host1'\nDOMAIN=''\nROOTPATH=''\nMTU=''\nBROADCAST=''\n"
                                   "INITIATOR=''\nSERVER=''\nLEASETIME=''\nINTERFACE='ens2'\nMETHOD='static'\n"
                                   "RENEWTIME=''\nREBINDTIME=''\nCLIENTID=''\nBOUNDAT=''\n");
    // no gateway: no GATEWAY value
    t = lease_text(static_lease(a, 16, net::IpAddress{}, {}, ""), "eth0");
    assert_non_null(strstr(t.c_str(), "PREFIX='16'\nNETMASK='255.255.0.0'\nGATEWAY=''\nDNS=''\n"));
}

static std::string tmpdir()
{
    char t[] = "/tmp/isr-test-dhcp.XXXXXX";
    assert_non_null(mkdtemp(t));
    return t;
}

static void lease_file_hostile(void **)
{
    std::string dir = tmpdir();
    std::string marker = dir + "/pwned";
    // values a hostile server (or a parser bug) could produce; the writer
    // must keep them inert even though the parser rejects control bytes
    Lease l = parse(reply(full_options(DHCPACK)));
    l.hostname = "'; touch " + marker + "; echo '";
    l.domain = "$(touch " + marker + ")";
    l.root_path = "`touch " + marker + "`'\\''";
    l.initiator_name = "a'\nIP='6.6.6.6'\ntouch " + marker + "\n'";
    write_lease(l, "eth0", dir + "/sub/run");
    std::string path = dir + "/sub/run/eth0.lease";
    struct stat st;
    assert_int_equal(stat(path.c_str(), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    // source it in sh and print the values back, NUL separated
    std::string out = dir + "/out";
    std::string cmd = "/bin/sh -c '. \"$1\" && printf \"%s\\0\" \"$HOSTNAME\" \"$DOMAIN\" \"$ROOTPATH\" \"$INITIATOR\" \"$IP\"' sh " +
                      path + " > " + out;
    assert_int_equal(system(cmd.c_str()), 0);
    std::string got = read_all(out);
    std::string want = l.hostname + '\0' + l.domain + '\0' + l.root_path + '\0' + l.initiator_name + '\0' +
                       "10.77.0.53" + '\0';
    assert_int_equal(got.size(), want.size());
    assert_memory_equal(got.data(), want.data(), want.size());
    assert_int_not_equal(access(marker.c_str(), F_OK), 0);
    // only the lease file is in the directory (temp file renamed)
    DIR *d = opendir((dir + "/sub/run").c_str());
    assert_non_null(d);
    int n = 0;
    while (dirent *e = readdir(d))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            ++n;
    closedir(d);
    assert_int_equal(n, 1);
    // rewriting replaces the file
    l.hostname = "second";
    write_lease(l, "eth0", dir + "/sub/run");
    assert_non_null(strstr(read_all(path).c_str(), "HOSTNAME='second'\n"));
    assert_int_equal(system(("rm -rf " + dir).c_str()), 0);
}

static void lease_file_errors(void **)
{
    Lease l;
    EXPECT_ERROR(write_lease(l, "../etc", "/tmp"), ISCSI_ERR_INVAL, "bad interface name");
    EXPECT_ERROR(write_lease(l, "", "/tmp"), ISCSI_ERR_INVAL, "bad interface name");
    EXPECT_ERROR(write_lease(l, "..", "/tmp"), ISCSI_ERR_INVAL, "bad interface name");
    std::string dir = tmpdir();
    std::string file = dir + "/plain";
    FILE *f = fopen(file.c_str(), "w");
    assert_non_null(f);
    fclose(f);
    EXPECT_ERROR(write_lease(l, "eth0", file), ISCSI_ERR, "cannot create directory " + file);
    EXPECT_ERROR(write_lease(l, "eth0", file + "/sub"), ISCSI_ERR, "cannot create directory");
    assert_int_equal(system(("rm -rf " + dir).c_str()), 0);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(discover_bytes),      cmocka_unit_test(request_bytes),
        cmocka_unit_test(exchange_secs),       cmocka_unit_test(exchange_replies),
        cmocka_unit_test(parse_offer_and_ack), cmocka_unit_test(parse_minimal_and_padding),
        cmocka_unit_test(parse_nak),           cmocka_unit_test(parse_overload),
        cmocka_unit_test(parse_concatenated),  cmocka_unit_test(parse_truncated),
        cmocka_unit_test(parse_header_checks), cmocka_unit_test(parse_malformed_optional),
        cmocka_unit_test(parse_bad_required),
        cmocka_unit_test(masks),               cmocka_unit_test(checksum_rfc1071),
        cmocka_unit_test(checksum_ipv4_header), cmocka_unit_test(frame_bytes),
        cmocka_unit_test(frame_filter),        cmocka_unit_test(quoting), cmocka_unit_test(static_lease_text),
        cmocka_unit_test(lease_text_lines),    cmocka_unit_test(lease_file_hostile),
        cmocka_unit_test(lease_file_errors),
    };
    return cmocka_run_group_tests_name("dhcp", tests, nullptr, nullptr);
}
