// Keeping a DHCP lease after the boot (RFC 2131 4.4.5): the Renewal state
// machine driven by a fake clock, the renewing REQUEST's bytes, the lease
// file's round trip, and the takeover check over parsed RTM_NEWADDR.
#include "test_util.hpp"

#include "../../iscsistart/dhcp/dhcp_packet.hpp"
#include "../../iscsistart/dhcp/lease_file.hpp"
#include "../../iscsistart/dhcp/renew.hpp"
#include "../../iscsistart/net/rtnl_msg.hpp"

#include <cstring>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string>
#include <sys/socket.h>
#include <vector>

using namespace isr;
using namespace isr::dhcp;
using State = Renewal::State;

namespace {

IpAddress ip(const char *s) { return *IpAddress::parse(s); }

const Mac MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

// The boot's lease: 10.77.0.57 from 10.77.0.1, `lease` seconds, T1/T2 as given.
Lease boot_lease(uint32_t lease, uint32_t t1 = 0, uint32_t t2 = 0)
{
    Lease l;
    l.type = DHCPACK;
    l.your_ip = ip("10.77.0.57");
    l.prefix_len = 24;
    l.server_id = ip("10.77.0.1");
    l.lease_time = lease;
    l.renew_time = t1;
    l.rebind_time = t2;
    l.by_dhcp = true;
    return l;
}

Lease ack(const char *addr, uint32_t lease, const char *server = "10.77.0.1")
{
    Lease l = boot_lease(lease);
    l.your_ip = ip(addr);
    l.server_id = ip(server);
    return l;
}

Lease nak(const char *msg = "")
{
    Lease l;
    l.type = DHCPNAK;
    l.server_id = ip("10.77.0.1");
    l.message = msg;
    return l;
}

bool contains(const std::string &s, const char *part) { return s.find(part) != std::string::npos; }

} // namespace

static void timers_defaults_and_options(void **)
{
    auto t = lease_timers(3600, 0, 0); // absent: 0.5 and 0.875
    assert_false(t.infinite);
    assert_int_equal(t.t1, 1800);
    assert_int_equal(t.t2, 3150);
    t = lease_timers(3600, 1000, 2000); // sent, sane: taken
    assert_int_equal(t.t1, 1000);
    assert_int_equal(t.t2, 2000);
    t = lease_timers(3600, 0, 4000); // T2 past the lease: default
    assert_int_equal(t.t2, 3150);
    t = lease_timers(3600, 3200, 3000); // T1 past T2: 0.5 x lease
    assert_int_equal(t.t1, 1800);
    assert_int_equal(t.t2, 3000);
    t = lease_timers(3600, 3200, 1000); // T1 past T2, and 0.5 x lease too: T2/2
    assert_int_equal(t.t1, 500);
    assert_int_equal(t.t2, 1000);
    assert_true(lease_timers(INFINITE_LEASE, 0, 0).infinite);
    assert_true(lease_timers(0, 0, 0).infinite); // option 51 absent
    assert_int_equal(retry_floor_ms(86400), 60000);
    assert_int_equal(retry_floor_ms(1920), 60000);
    assert_int_equal(retry_floor_ms(120), 3750);
    assert_int_equal(retry_floor_ms(10), 2000);
}

// BOUND -> RENEWING at T1 (unicast, new xid), retransmissions halving the
// time left to T2 down to the floor, -> REBINDING at T2 (broadcast, new
// xid), halving toward the end, -> ENDED at the end (reported once), then
// one broadcast a minute.
static void full_run_without_answer(void **)
{
    Renewal r("eth0", boot_lease(3600), 1000000);
    assert_int_equal((int)r.state(), (int)State::BOUND);
    auto s = r.tick(1000000);
    assert_false(s.send);
    assert_int_equal(s.next_ms, 1000000 + 1800000);
    s = r.tick(1000000 + 1799999);
    assert_false(s.send);
    assert_int_equal((int)r.state(), (int)State::BOUND);

    long now = 1000000 + 1800000; // T1
    s = r.tick(now);
    assert_int_equal((int)r.state(), (int)State::RENEWING);
    assert_true(s.send);
    assert_false(s.broadcast);
    assert_true(s.new_xid);
    r.sent(now);
    // T2 is at +3150 s: 1350 s left, the next try after 675 s
    assert_int_equal(s.next_ms, now + 675000);
    s = r.tick(now + 1000); // early: nothing, same time
    assert_false(s.send);
    assert_int_equal(s.next_ms, now + 675000);
    // waits: 675, 337.5, 168.75, 84.375, then 60 (the floor) until T2
    std::vector<long> waits;
    const long t2 = 1000000 + 3150000L;
    long t = now + 675000;
    while (t < t2) {
        s = r.tick(t);
        assert_int_equal((int)r.state(), (int)State::RENEWING);
        assert_true(s.send);
        assert_false(s.broadcast);
        assert_false(s.new_xid); // same transaction
        r.sent(t);
        waits.push_back(s.next_ms - t);
        t = s.next_ms;
    }
    assert_true(waits.size() >= 5);
    assert_int_equal(waits[0], 337500);
    assert_int_equal(waits[1], 168750);
    assert_int_equal(waits[2], 84375);
    assert_int_equal(waits[3], 60000); // 42 s would be below the floor
    for (long w : waits)
        assert_true(w > 0);
    assert_int_equal(t, t2);
    // the last wait ends exactly at T2, never past it
    s = r.tick(t2);
    assert_int_equal((int)r.state(), (int)State::REBINDING);
    assert_true(s.send);
    assert_true(s.broadcast);
    assert_true(s.new_xid);
    r.sent(t2);
    assert_int_equal(s.next_ms, t2 + 225000); // 450 s left to the end: half
    const long end = 1000000 + 3600000L;
    t = s.next_ms;
    while (t < end) {
        s = r.tick(t);
        assert_true(s.send);
        assert_true(s.broadcast);
        assert_true(s.next_ms <= end);
        assert_true(s.log.empty());
        t = s.next_ms;
    }
    s = r.tick(end);
    assert_int_equal((int)r.state(), (int)State::ENDED);
    assert_true(r.reported());
    assert_string_equal(s.log.c_str(), "eth0: DHCP lease for 10.77.0.57 ended and could not be renewed (no answer "
                                       "from 10.77.0.1 nor any other DHCP server); keeping the address while the "
                                       "session lives");
    assert_true(s.send && s.broadcast);
    assert_int_equal(s.next_ms, end + ENDED_RETRY_MS);
    // bounded: one broadcast a minute, said once
    s = r.tick(end + 30000);
    assert_false(s.send);
    s = r.tick(end + ENDED_RETRY_MS);
    assert_true(s.send && s.broadcast && s.new_xid);
    assert_true(s.log.empty());
    assert_int_equal(s.next_ms, end + 2 * ENDED_RETRY_MS);
}

// A 2-minute lease (dnsmasq's shortest): the floor is 3.75 s.
static void short_lease_floor(void **)
{
    Renewal r("eth0", boot_lease(120, 60, 105), 0);
    auto s = r.tick(60000);
    assert_true(s.send);
    r.sent(60000);
    assert_int_equal(s.next_ms, 60000 + 22500);
    long t = s.next_ms;
    int sends = 1;
    while (r.state() == State::RENEWING) {
        s = r.tick(t);
        if (s.send)
            ++sends;
        assert_true(s.next_ms - t >= 3750 || s.next_ms == 105000);
        t = s.next_ms;
    }
    assert_true(sends >= 4);
    assert_int_equal((int)r.state(), (int)State::REBINDING);
}

// The ACK's lease counts from the first REQUEST of the transaction.
static void ack_renews(void **)
{
    Renewal r("eth0", boot_lease(120), 0);
    r.tick(60000);
    r.sent(60000);
    r.tick(82500);
    r.sent(82500);
    auto s = r.receive(ack("10.77.0.57", 300), 83000);
    assert_true(s.write_lease);
    assert_int_equal((int)r.state(), (int)State::BOUND);
    assert_string_equal(s.log.c_str(), "eth0: DHCP lease for 10.77.0.57 renewed by 10.77.0.1 for 300 s (T1 150 s, T2 262 s)");
    assert_int_equal(r.bound_at_ms(), 60000);
    assert_int_equal(r.t1_ms(), 60000 + 150000);
    assert_int_equal(r.lease().lease_time, 300);
    assert_int_equal(r.lease().prefix_len, 24); // the boot's configuration stays
    s = r.tick(100000);
    assert_false(s.send);
    assert_int_equal(s.next_ms, 210000);
    // a second ACK while BOUND is ignored
    s = r.receive(ack("10.77.0.57", 10), 100000);
    assert_false(s.write_lease);
    assert_int_equal(r.lease().lease_time, 300);
}

// REBINDING: any server's ACK for our address counts.
static void ack_from_other_server_in_rebinding(void **)
{
    Renewal r("eth0", boot_lease(120), 0);
    r.tick(105000);
    assert_int_equal((int)r.state(), (int)State::REBINDING); // late first tick: straight through
    r.sent(105000);
    auto s = r.receive(ack("10.77.0.57", 120, "10.77.0.9"), 106000);
    assert_true(s.write_lease);
    assert_int_equal((int)r.state(), (int)State::BOUND);
    assert_string_equal(r.server().text().c_str(), "10.77.0.9"); // RENEWING goes there next
}

// An ACK for another address: said once, not taken; the timers go on.
static void ack_other_address(void **)
{
    Renewal r("eth0", boot_lease(120), 0);
    r.tick(60000);
    r.sent(60000);
    auto s = r.receive(ack("10.77.0.99", 120), 61000);
    assert_false(s.write_lease);
    assert_string_equal(s.log.c_str(), "eth0: DHCP server 10.77.0.1 acknowledged 10.77.0.99 instead of 10.77.0.57; "
                                       "keeping 10.77.0.57 (the root is reached through it)");
    assert_int_equal((int)r.state(), (int)State::RENEWING);
    assert_string_equal(r.lease().your_ip.text().c_str(), "10.77.0.57");
    s = r.receive(ack("10.77.0.99", 120), 62000);
    assert_true(s.log.empty());
    // the right ACK still counts afterwards
    s = r.receive(ack("10.77.0.57", 120), 63000);
    assert_true(s.write_lease);
}

// NAK: ENDED at once, reported with the server's message; the address is
// kept, a broadcast a minute; a later ACK brings it back.
static void nak_then_back(void **)
{
    Renewal r("eth0", boot_lease(120), 0);
    r.tick(60000);
    r.sent(60000);
    auto s = r.receive(nak("address\x01 not available"), 61000);
    assert_int_equal((int)r.state(), (int)State::ENDED);
    assert_true(contains(s.log, "eth0: DHCP lease for 10.77.0.57 ended and could not be renewed (DHCPNAK from "
                                "10.77.0.1: address"));
    assert_true(contains(s.log, "); keeping the address while the session lives"));
    assert_null(strchr(s.log.c_str(), '\x01')); // the server's text is made printable
    s = r.tick(61000);
    assert_false(s.send);
    assert_int_equal(s.next_ms, 61000 + ENDED_RETRY_MS);
    // the lease's own end passes quietly
    s = r.tick(120000);
    assert_true(s.log.empty());
    s = r.tick(121000);
    assert_true(s.send && s.broadcast);
    r.sent(121000);
    s = r.receive(nak(), 121500); // again: no second report
    assert_true(s.log.empty());
    assert_int_equal(s.next_ms, -1);
    s = r.tick(181500);
    assert_true(s.send);
    r.sent(181500);
    s = r.receive(ack("10.77.0.57", 120), 182000);
    assert_true(s.write_lease);
    assert_string_equal(s.log.c_str(), "eth0: DHCP lease for 10.77.0.57 is back: renewed by 10.77.0.1 for 120 s (T1 60 "
                                       "s, T2 105 s)");
    assert_int_equal((int)r.state(), (int)State::BOUND);
    assert_false(r.reported());
}

// Infinite leases, and ACKs that make one: never renewed.
static void infinite(void **)
{
    Renewal r("eth0", boot_lease(INFINITE_LEASE), 0);
    assert_int_equal((int)r.state(), (int)State::INFINITE);
    auto s = r.tick(1L << 40);
    assert_false(s.send);
    assert_int_equal(s.next_ms, -1);
    Renewal z("eth0", boot_lease(0), 0); // no option 51
    assert_int_equal((int)z.state(), (int)State::INFINITE);
    Renewal a("eth0", boot_lease(120), 0);
    a.tick(60000);
    s = a.receive(ack("10.77.0.57", INFINITE_LEASE), 60500);
    assert_true(s.write_lease);
    assert_int_equal((int)a.state(), (int)State::INFINITE);
    assert_string_equal(s.log.c_str(), "eth0: DHCP lease for 10.77.0.57 renewed by 10.77.0.1 for good");
    assert_false(a.tick(1L << 40).send);
}

// stop(): another program has the interface; nothing more, whatever comes.
static void stopped(void **)
{
    Renewal r("eth0", boot_lease(120), 0);
    r.tick(60000);
    r.stop();
    assert_int_equal((int)r.state(), (int)State::STOPPED);
    assert_false(r.tick(200000).send);
    assert_false(r.receive(ack("10.77.0.57", 120), 200000).write_lease);
    assert_true(r.receive(nak(), 200000).log.empty());
}

// RFC 2131 4.3.2 table 4 / 4.4.5: ciaddr set, no 50, no 54, no broadcast flag.
static void renewing_request_bytes(void **)
{
    Bytes cid = {0xff, 1, 2, 3};
    Bytes b = build_renew(MAC, 0x11223344, 7, ip("10.77.0.57"), cid);
    assert_true(b.size() >= MIN_MESSAGE);
    assert_int_equal(b[0], 1);
    assert_int_equal(b[4], 0x11);
    assert_int_equal(b[9], 7);
    assert_int_equal(b[10], 0); // flags: no broadcast bit
    const uint8_t ciaddr[4] = {10, 77, 0, 57};
    assert_memory_equal(&b[12], ciaddr, 4);
    assert_memory_equal(&b[16], "\0\0\0\0", 4); // yiaddr
    assert_memory_equal(&b[28], MAC.data(), 6);
    // walk the options
    bool saw50 = false, saw54 = false, saw61 = false;
    int type = 0;
    for (std::size_t i = 240; i < b.size() && b[i] != 255;) {
        if (b[i] == 0) {
            ++i;
            continue;
        }
        uint8_t code = b[i], len = b[i + 1];
        if (code == 53)
            type = b[i + 2];
        saw50 |= code == 50;
        saw54 |= code == 54;
        if (code == 61) {
            saw61 = true;
            assert_int_equal(len, 4);
            assert_memory_equal(&b[i + 2], cid.data(), 4);
        }
        i += 2 + len;
    }
    assert_int_equal(type, DHCPREQUEST);
    assert_false(saw50);
    assert_false(saw54);
    assert_true(saw61);
    // no client id given: the boot's (type 1 + MAC)
    Bytes d = build_renew(MAC, 1, 0, ip("10.77.0.57"));
    Bytes want = client_id_of(MAC);
    bool found = false;
    for (std::size_t i = 240; i + 1 < d.size() && d[i] != 255; i += 2 + d[i + 1])
        if (d[i] == 61)
            found = d[i + 1] == 7 && memcmp(&d[i + 2], want.data(), 7) == 0;
    assert_true(found);
    EXPECT_ERROR(build_renew(MAC, 1, 0, IpAddress{}), ISCSI_ERR_INVAL, "needs our IPv4 address");
    EXPECT_ERROR(build_renew(MAC, 1, 0, ip("fd00::1")), ISCSI_ERR_INVAL, "needs our IPv4 address");
    EXPECT_ERROR(build_renew(MAC, 1, 0, ip("10.0.0.1"), Bytes(256, 1)), ISCSI_ERR_INVAL, "longer than an option");
}

// T1 and T2 in a server's ACK (options 58, 59); a bad length drops them.
static void parse_t1_t2(void **)
{
    auto msg = [](const Bytes &extra) {
        Bytes b(240, 0);
        b[0] = 2, b[1] = 1, b[2] = 6;
        b[4] = 0, b[5] = 0, b[6] = 0, b[7] = 9;
        b[16] = 10, b[17] = 77, b[18] = 0, b[19] = 57;
        memcpy(&b[28], MAC.data(), 6);
        b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
        Bytes o = {53, 1, 5, 54, 4, 10, 77, 0, 1, 51, 4, 0, 0, 0, 120};
        b.insert(b.end(), o.begin(), o.end());
        b.insert(b.end(), extra.begin(), extra.end());
        b.push_back(255);
        return b;
    };
    Bytes m = msg({58, 4, 0, 0, 0, 60, 59, 4, 0, 0, 0, 105});
    Lease l = parse_reply(m.data(), m.size(), 9, MAC);
    assert_int_equal(l.renew_time, 60);
    assert_int_equal(l.rebind_time, 105);
    m = msg({58, 2, 0, 60});
    l = parse_reply(m.data(), m.size(), 9, MAC);
    assert_int_equal(l.renew_time, 0);
    assert_int_equal(l.warnings.size(), 1);
    assert_true(contains(l.warnings[0], "renewal time (option 58): has length 2, want 4"));
}

// What the boot writes is what the supervisor reads back.
static void lease_file_round_trip(void **)
{
    Lease l = boot_lease(120, 60, 105);
    l.routers = {ip("10.77.0.1")};
    l.dns = {ip("10.77.0.1"), ip("10.77.0.2")};
    l.hostname = "it's";
    l.root_path = "iscsi:10.77.0.1:::1:iqn.2026-11.test:root";
    l.mtu = 1400;
    l.client_id = client_id_of(MAC);
    l.bound_at_s = 42;
    std::string text = lease_text(l, "eth0");
    assert_true(contains(text, "METHOD='dhcp'\nRENEWTIME='60'\nREBINDTIME='105'\nCLIENTID='01525400123456'\n"
                               "BOUNDAT='42'\n"));
    std::string ifname;
    Lease b = parse_lease_text(text, ifname);
    assert_string_equal(ifname.c_str(), "eth0");
    assert_true(b.by_dhcp);
    assert_string_equal(lease_text(b, "eth0").c_str(), text.c_str());
    // a static record stays static
    Lease s = static_lease(ip("10.77.0.2"), 24, IpAddress{}, {}, "");
    b = parse_lease_text(lease_text(s, "ens2"), ifname);
    assert_false(b.by_dhcp);
    assert_int_equal(b.bound_at_s, -1);
    // what the boot did not write is refused, naming the key
    EXPECT_ERROR(parse_lease_text("IP='10.77.0.300'\n", ifname), ISCSI_ERR_INVAL, "IP='10.77.0.300' is not valid");
    EXPECT_ERROR(parse_lease_text("LEASETIME='99999999999'\n", ifname), ISCSI_ERR_INVAL, "LEASETIME=");
    EXPECT_ERROR(parse_lease_text("METHOD='bootp'\n", ifname), ISCSI_ERR_INVAL, "METHOD=");
    EXPECT_ERROR(parse_lease_text("CLIENTID='0g'\n", ifname), ISCSI_ERR_INVAL, "CLIENTID=");
    EXPECT_ERROR(parse_lease_text("HOSTNAME='open\n", ifname), ISCSI_ERR_INVAL, "HOSTNAME=");
    EXPECT_ERROR(parse_lease_text("HOSTNAME=bare\n", ifname), ISCSI_ERR_INVAL, "HOSTNAME=");
    // lines it does not know are skipped
    b = parse_lease_text("# comment\nFUTURE='x'\nIP='10.0.0.1'\n", ifname);
    assert_string_equal(b.your_ip.text().c_str(), "10.0.0.1");
}

namespace {

Bytes newaddr(int index, const uint8_t a[4], uint8_t prefix, bool cacheinfo, uint32_t valid)
{
    net::rtnl::MsgBuilder m(RTM_NEWADDR, NLM_F_MULTI, 1);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_prefixlen = prefix;
    ifa.ifa_index = (unsigned)index;
    m.put(&ifa, sizeof ifa);
    m.attr(IFA_ADDRESS, a, 4);
    m.attr(IFA_LOCAL, a, 4);
    if (cacheinfo) {
        ifa_cacheinfo ci{};
        ci.ifa_valid = valid;
        ci.ifa_prefered = valid;
        m.attr(IFA_CACHEINFO, &ci, sizeof ci);
    }
    m.attr_u32(IFA_FLAGS, IFA_F_PERMANENT);
    return m.bytes();
}

} // namespace

static void parse_rtm_newaddr(void **)
{
    const uint8_t a[4] = {10, 77, 0, 57};
    Bytes b = newaddr(2, a, 24, true, 0xffffffffu);
    auto p = net::rtnl::parse_addr(b.data(), b.size());
    assert_true(p.has_value());
    assert_int_equal(p->index, 2);
    assert_int_equal(p->prefix_len, 24);
    assert_string_equal(p->local.text().c_str(), "10.77.0.57");
    assert_int_equal(p->valid_lft, 0xffffffffu);
    assert_int_equal(p->flags, IFA_F_PERMANENT);
    b = newaddr(2, a, 24, true, 118);
    assert_int_equal(net::rtnl::parse_addr(b.data(), b.size())->valid_lft, 118);
    b = newaddr(2, a, 24, false, 0); // no cache info: forever
    assert_int_equal(net::rtnl::parse_addr(b.data(), b.size())->valid_lft, 0xffffffffu);
    // truncated or of another type: nothing
    assert_false(net::rtnl::parse_addr(b.data(), 10).has_value());
    b[4] = RTM_NEWLINK;
    assert_false(net::rtnl::parse_addr(b.data(), b.size()).has_value());
    Bytes d = net::rtnl::getaddr_dump(5);
    assert_int_equal(d.size(), 16 + sizeof(ifaddrmsg));
    assert_int_equal(d[4], RTM_GETADDR);
    assert_int_equal(d[16], AF_INET);
}

// Who manages our address: iscsistart's is forever; a network manager's
// DHCP client sets a finite lifetime, or removes or replaces it.
static void takeover(void **)
{
    using net::AddressOwner;
    const IpAddress ours = ip("10.77.0.57");
    auto addr = [](int index, const char *a, uint32_t valid) {
        net::Address x;
        x.index = index;
        x.local = *IpAddress::parse(a);
        x.prefix_len = 24;
        x.valid_lft = valid;
        return x;
    };
    std::vector<net::Address> v = {addr(1, "127.0.0.1", 0xffffffffu), addr(2, "10.77.0.57", 0xffffffffu)};
    assert_int_equal((int)net::address_owner(v, 2, ours), (int)AddressOwner::OURS);
    v[1].valid_lft = 120;
    assert_int_equal((int)net::address_owner(v, 2, ours), (int)AddressOwner::FINITE);
    v[1] = addr(2, "10.77.0.60", 120);
    assert_int_equal((int)net::address_owner(v, 2, ours), (int)AddressOwner::REPLACED);
    v.pop_back();
    assert_int_equal((int)net::address_owner(v, 2, ours), (int)AddressOwner::GONE);
    // the same address on another interface is not ours
    v.push_back(addr(3, "10.77.0.57", 0xffffffffu));
    assert_int_equal((int)net::address_owner(v, 2, ours), (int)AddressOwner::GONE);
    // an extra (secondary) address beside ours changes nothing
    v.push_back(addr(2, "10.77.0.99", 300));
    v.push_back(addr(2, "10.77.0.57", 0xffffffffu));
    assert_int_equal((int)net::address_owner(v, 2, ours), (int)AddressOwner::OURS);
    assert_string_equal(net::address_owner_text(AddressOwner::FINITE), "finite lifetime");
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timers_defaults_and_options),
        cmocka_unit_test(full_run_without_answer),
        cmocka_unit_test(short_lease_floor),
        cmocka_unit_test(ack_renews),
        cmocka_unit_test(ack_from_other_server_in_rebinding),
        cmocka_unit_test(ack_other_address),
        cmocka_unit_test(nak_then_back),
        cmocka_unit_test(infinite),
        cmocka_unit_test(stopped),
        cmocka_unit_test(renewing_request_bytes),
        cmocka_unit_test(parse_t1_t2),
        cmocka_unit_test(lease_file_round_trip),
        cmocka_unit_test(parse_rtm_newaddr),
        cmocka_unit_test(takeover),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
