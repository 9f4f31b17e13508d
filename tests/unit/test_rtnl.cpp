// rtnetlink request bytes (nlmsghdr, family headers, attributes), reply
// parsing, and IpAddress / MAC text forms. No socket.
#include "test_util.hpp"

#include "../../iscsistart/net/nic_config.hpp"
#include "../../iscsistart/net/rtnl_msg.hpp"
#include "util/mac.hpp"

#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <vector>

using namespace isr;
using namespace isr::net;

namespace {

using Bytes = std::vector<uint8_t>;

struct Attr {
    uint16_t type;
    Bytes data;
};

nlmsghdr header(const Bytes &b)
{
    assert_true(b.size() >= sizeof(nlmsghdr));
    nlmsghdr h;
    memcpy(&h, b.data(), sizeof h);
    assert_int_equal(h.nlmsg_len, b.size()); // the whole buffer is one message
    assert_int_equal(h.nlmsg_pid, 0);
    return h;
}

template <class T> T family_header(const Bytes &b)
{
    assert_true(b.size() >= NLMSG_HDRLEN + sizeof(T));
    T t;
    memcpy(&t, b.data() + NLMSG_HDRLEN, sizeof t);
    return t;
}

// The attributes in [off, end); every one must be well formed and aligned.
std::vector<Attr> attrs(const Bytes &b, std::size_t off, std::size_t end)
{
    std::vector<Attr> out;
    while (off < end) {
        assert_true(off + sizeof(rtattr) <= end);
        assert_int_equal(off % 4, 0);
        rtattr a;
        memcpy(&a, b.data() + off, sizeof a);
        assert_true(a.rta_len >= sizeof(rtattr) && off + a.rta_len <= end);
        out.push_back({a.rta_type, Bytes(b.begin() + off + RTA_LENGTH(0), b.begin() + off + a.rta_len)});
        off += RTA_ALIGN(a.rta_len);
    }
    assert_int_equal(off, end);
    return out;
}

template <class T> std::vector<Attr> top_attrs(const Bytes &b)
{
    return attrs(b, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(T)), b.size());
}

// Attributes nested in `a` (offsets relative to its payload).
std::vector<Attr> nested(const Attr &a) { return attrs(a.data, 0, a.data.size()); }

uint32_t u32(const Bytes &d)
{
    assert_int_equal(d.size(), 4);
    uint32_t v;
    memcpy(&v, d.data(), 4);
    return v;
}

Bytes str_bytes(const char *s) { return Bytes(s, s + strlen(s) + 1); }

IpAddress ip(const char *s)
{
    auto a = IpAddress::parse(s);
    assert_true(a.has_value());
    return *a;
}

Bytes addr_bytes(const IpAddress &a) { return Bytes(a.bytes.begin(), a.bytes.begin() + (a.family == AF_INET ? 4 : 16)); }

} // namespace

static void getlink_dump_request(void **)
{
    Bytes b = rtnl::getlink_dump(7);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_GETLINK);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    assert_int_equal(h.nlmsg_seq, 7);
    assert_int_equal(b.size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)));
    auto ifi = family_header<ifinfomsg>(b);
    assert_int_equal(ifi.ifi_family, AF_UNSPEC);
    assert_int_equal(ifi.ifi_index, 0);
}

static void getlink_by_index_and_name(void **)
{
    Bytes b = rtnl::getlink(5, "", 8);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_GETLINK);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST);
    assert_int_equal(family_header<ifinfomsg>(b).ifi_index, 5);
    assert_true(top_attrs<ifinfomsg>(b).empty());

    b = rtnl::getlink(0, "eth0.100", 9);
    header(b);
    assert_int_equal(family_header<ifinfomsg>(b).ifi_index, 0);
    auto a = top_attrs<ifinfomsg>(b);
    assert_int_equal(a.size(), 1);
    assert_int_equal(a[0].type, IFLA_IFNAME);
    assert_true(a[0].data == str_bytes("eth0.100"));
    EXPECT_ERROR(rtnl::getlink(0, "", 1), ISCSI_ERR_INVAL, "interface name");
    EXPECT_ERROR(rtnl::getlink(0, "sixteen-chars-xx", 1), ISCSI_ERR_INVAL, "interface name");
}

static void link_up_request(void **)
{
    Bytes b = rtnl::link_up(3, 11);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_SETLINK);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    assert_int_equal(h.nlmsg_seq, 11);
    auto ifi = family_header<ifinfomsg>(b);
    assert_int_equal(ifi.ifi_index, 3);
    assert_int_equal(ifi.ifi_flags, IFF_UP);
    assert_int_equal(ifi.ifi_change, IFF_UP);
    assert_true(top_attrs<ifinfomsg>(b).empty());
    // down: the same change mask, the flag cleared
    b = rtnl::link_down(3, 12);
    assert_int_equal(header(b).nlmsg_type, RTM_SETLINK);
    assert_int_equal(header(b).nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    assert_int_equal(header(b).nlmsg_seq, 12);
    ifi = family_header<ifinfomsg>(b);
    assert_int_equal(ifi.ifi_index, 3);
    assert_int_equal(ifi.ifi_flags, 0);
    assert_int_equal(ifi.ifi_change, IFF_UP);
}

static void vlan_request(void **)
{
    Bytes b = rtnl::new_vlan(2, "eth0.100", 100, 12);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_NEWLINK);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    assert_int_equal(family_header<ifinfomsg>(b).ifi_index, 0);
    auto a = top_attrs<ifinfomsg>(b);
    assert_int_equal(a.size(), 3);
    assert_int_equal(a[0].type, IFLA_IFNAME);
    assert_true(a[0].data == str_bytes("eth0.100"));
    assert_int_equal(a[1].type, IFLA_LINK);
    assert_int_equal(u32(a[1].data), 2);
    assert_int_equal(a[2].type, IFLA_LINKINFO);
    auto info = nested(a[2]);
    assert_int_equal(info.size(), 2);
    assert_int_equal(info[0].type, IFLA_INFO_KIND);
    assert_true(info[0].data == str_bytes("vlan"));
    assert_int_equal(info[1].type, IFLA_INFO_DATA);
    auto data = nested(info[1]);
    assert_int_equal(data.size(), 1);
    assert_int_equal(data[0].type, IFLA_VLAN_ID);
    assert_int_equal(data[0].data.size(), 2);
    uint16_t vid;
    memcpy(&vid, data[0].data.data(), 2);
    assert_int_equal(vid, 100);
    // The u16 attribute is padded: 4 + 2 + 2, and the nests end there.
    assert_int_equal(b.size() % 4, 0);

    EXPECT_ERROR(rtnl::new_vlan(2, "eth0.0", 0, 1), ISCSI_ERR_INVAL, "VLAN id 0");
    EXPECT_ERROR(rtnl::new_vlan(2, "eth0.4095", 4095, 1), ISCSI_ERR_INVAL, "VLAN id 4095");
    EXPECT_ERROR(rtnl::new_vlan(2, "enx0011223344556.7", 7, 1), ISCSI_ERR_INVAL, "interface name");
    EXPECT_ERROR(rtnl::new_vlan(2, "eth0:7", 7, 1), ISCSI_ERR_INVAL, "interface name");
}

static void set_link_requests(void **)
{
    const std::array<uint8_t, 6> mac = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x42};
    const std::size_t attrs_off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));

    // MTU alone: one u32 attribute, exactly these 8 bytes.
    Bytes b = rtnl::set_link(3, 1400, std::nullopt, "", 17);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_SETLINK);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    assert_int_equal(h.nlmsg_seq, 17);
    auto ifi = family_header<ifinfomsg>(b);
    assert_int_equal(ifi.ifi_family, AF_UNSPEC);
    assert_int_equal(ifi.ifi_index, 3);
    assert_int_equal(ifi.ifi_flags, 0); // flags left alone
    assert_int_equal(ifi.ifi_change, 0);
    assert_int_equal(b.size(), attrs_off + 8);
    uint32_t mtu = 1400;
    Bytes want(8, 0);
    uint16_t len = 8, type = IFLA_MTU;
    memcpy(want.data(), &len, 2);
    memcpy(want.data() + 2, &type, 2);
    memcpy(want.data() + 4, &mtu, 4);
    assert_true(Bytes(b.begin() + attrs_off, b.end()) == want);

    // MAC alone: 4 + 6 bytes, padded to 12.
    b = rtnl::set_link(3, 0, mac, "", 18);
    header(b);
    assert_int_equal(b.size(), attrs_off + 12);
    auto a = top_attrs<ifinfomsg>(b);
    assert_int_equal(a.size(), 1);
    assert_int_equal(a[0].type, IFLA_ADDRESS);
    assert_true(a[0].data == Bytes(mac.begin(), mac.end()));

    // Name alone.
    b = rtnl::set_link(3, 0, std::nullopt, "lan0", 19);
    header(b);
    a = top_attrs<ifinfomsg>(b);
    assert_int_equal(a.size(), 1);
    assert_int_equal(a[0].type, IFLA_IFNAME);
    assert_true(a[0].data == str_bytes("lan0"));

    // All three, in the order MTU, MAC, name.
    b = rtnl::set_link(7, 9000, mac, "storage-nic-15c", 20);
    header(b);
    assert_int_equal(family_header<ifinfomsg>(b).ifi_index, 7);
    a = top_attrs<ifinfomsg>(b);
    assert_int_equal(a.size(), 3);
    assert_int_equal(a[0].type, IFLA_MTU);
    assert_int_equal(u32(a[0].data), 9000);
    assert_int_equal(a[1].type, IFLA_ADDRESS);
    assert_true(a[1].data == Bytes(mac.begin(), mac.end()));
    assert_int_equal(a[2].type, IFLA_IFNAME);
    assert_true(a[2].data == str_bytes("storage-nic-15c"));

    // Nothing asked: a request without attributes; the smallest MTU.
    assert_true(top_attrs<ifinfomsg>(rtnl::set_link(3, 0, std::nullopt, "", 1)).empty());
    assert_int_equal(u32(top_attrs<ifinfomsg>(rtnl::set_link(3, 68, std::nullopt, "", 1))[0].data), 68);
}

static void set_link_refusals(void **)
{
    EXPECT_ERROR(rtnl::set_link(3, 67, std::nullopt, "", 1), ISCSI_ERR_INVAL, "MTU 67 is below");
    EXPECT_ERROR(rtnl::set_link(3, 1, std::nullopt, "", 1), ISCSI_ERR_INVAL, "MTU 1 is below");
    const char *bad_names[] = {"sixteen-chars-xx", "a/b", "eth0:1", "a b", "a\tb", "lan\n", ".", ".."};
    for (const char *n : bad_names)
        EXPECT_ERROR(rtnl::set_link(3, 0, std::nullopt, n, 1), ISCSI_ERR_INVAL, "bad interface name");
    // The message stays one line (text::printable's escapes).
    EXPECT_ERROR(rtnl::set_link(3, 0, std::nullopt, "lan\n", 1), ISCSI_ERR_INVAL, "\"lan\\x0a\" (");
    EXPECT_ERROR(rtnl::set_link(3, 0, std::nullopt, "eth0:1", 1), ISCSI_ERR_INVAL, "':'");
    std::array<uint8_t, 6> multicast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, zero{};
    EXPECT_ERROR(rtnl::set_link(3, 0, multicast, "", 1), ISCSI_ERR_INVAL, "MAC 01:00:5e:00:00:01 is not a unicast");
    EXPECT_ERROR(rtnl::set_link(3, 0, zero, "", 1), ISCSI_ERR_INVAL, "not a unicast");
    // One bad value refuses the whole request.
    EXPECT_ERROR(rtnl::set_link(3, 1500, std::nullopt, "x/y", 1), ISCSI_ERR_INVAL, "bad interface name");
}

static void ipv4_address_request(void **)
{
    Bytes b = rtnl::new_addr(4, ip("10.0.0.2"), 24, 13);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_NEWADDR);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    assert_int_equal(h.nlmsg_seq, 13);
    auto ifa = family_header<ifaddrmsg>(b);
    assert_int_equal(ifa.ifa_family, AF_INET);
    assert_int_equal(ifa.ifa_prefixlen, 24);
    assert_int_equal(ifa.ifa_flags, 0);
    assert_int_equal(ifa.ifa_scope, RT_SCOPE_UNIVERSE);
    assert_int_equal(ifa.ifa_index, 4);
    auto a = top_attrs<ifaddrmsg>(b);
    assert_int_equal(a.size(), 3);
    assert_int_equal(a[0].type, IFA_LOCAL);
    assert_true(a[0].data == addr_bytes(ip("10.0.0.2")));
    assert_int_equal(a[1].type, IFA_ADDRESS);
    assert_true(a[1].data == addr_bytes(ip("10.0.0.2")));
    assert_int_equal(a[2].type, IFA_BROADCAST);
    assert_true(a[2].data == addr_bytes(ip("10.0.0.255")));

    a = top_attrs<ifaddrmsg>(rtnl::new_addr(4, ip("172.16.5.9"), 20, 1));
    assert_true(a[2].data == addr_bytes(ip("172.16.15.255")));
    // /31 and /32 have no broadcast address.
    assert_int_equal(top_attrs<ifaddrmsg>(rtnl::new_addr(4, ip("10.0.0.2"), 31, 1)).size(), 2);
    assert_int_equal(top_attrs<ifaddrmsg>(rtnl::new_addr(4, ip("10.0.0.2"), 32, 1)).size(), 2);

    EXPECT_ERROR(rtnl::new_addr(4, IpAddress{}, 24, 1), ISCSI_ERR_INVAL, "address is not set");
    EXPECT_ERROR(rtnl::new_addr(4, ip("10.0.0.2"), 33, 1), ISCSI_ERR_INVAL, "/33");
}

static void ipv6_address_request(void **)
{
    Bytes b = rtnl::new_addr(6, ip("fd00:77::2"), 64, 14);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_NEWADDR);
    auto ifa = family_header<ifaddrmsg>(b);
    assert_int_equal(ifa.ifa_family, AF_INET6);
    assert_int_equal(ifa.ifa_prefixlen, 64);
    assert_int_equal(ifa.ifa_flags, IFA_F_NODAD);
    assert_int_equal(ifa.ifa_index, 6);
    auto a = top_attrs<ifaddrmsg>(b);
    assert_int_equal(a.size(), 2);
    assert_int_equal(a[0].type, IFA_LOCAL);
    assert_int_equal(a[0].data.size(), 16);
    assert_true(a[0].data == addr_bytes(ip("fd00:77::2")));
    assert_int_equal(a[1].type, IFA_ADDRESS);
    assert_true(a[1].data == addr_bytes(ip("fd00:77::2")));
    EXPECT_ERROR(rtnl::new_addr(6, ip("fd00::2"), 129, 1), ISCSI_ERR_INVAL, "/129");
}

static void default_route_requests(void **)
{
    Bytes b = rtnl::new_default_route(4, ip("10.0.0.1"), 15);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_NEWROUTE);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    auto r = family_header<rtmsg>(b);
    assert_int_equal(r.rtm_family, AF_INET);
    assert_int_equal(r.rtm_dst_len, 0);
    assert_int_equal(r.rtm_src_len, 0);
    assert_int_equal(r.rtm_table, RT_TABLE_MAIN);
    assert_int_equal(r.rtm_protocol, RTPROT_BOOT);
    assert_int_equal(r.rtm_scope, RT_SCOPE_UNIVERSE);
    assert_int_equal(r.rtm_type, RTN_UNICAST);
    auto a = top_attrs<rtmsg>(b);
    assert_int_equal(a.size(), 2);
    assert_int_equal(a[0].type, RTA_GATEWAY);
    assert_true(a[0].data == addr_bytes(ip("10.0.0.1")));
    assert_int_equal(a[1].type, RTA_OIF);
    assert_int_equal(u32(a[1].data), 4);

    b = rtnl::new_default_route(9, ip("fd00:77::1"), 16);
    header(b);
    r = family_header<rtmsg>(b);
    assert_int_equal(r.rtm_family, AF_INET6);
    assert_int_equal(r.rtm_dst_len, 0);
    assert_int_equal(r.rtm_table, RT_TABLE_MAIN);
    a = top_attrs<rtmsg>(b);
    assert_int_equal(a[0].type, RTA_GATEWAY);
    assert_true(a[0].data == addr_bytes(ip("fd00:77::1")));
    assert_int_equal(u32(a[1].data), 9);

    EXPECT_ERROR(rtnl::new_default_route(9, IpAddress{}, 1), ISCSI_ERR_INVAL, "gateway is not set");
}

static void route_requests(void **)
{
    // To a network via a gateway: RTA_DST, RTA_GATEWAY, RTA_OIF.
    Bytes b = rtnl::new_route(4, ip("10.1.0.0"), 16, ip("10.0.0.1"), 22);
    nlmsghdr h = header(b);
    assert_int_equal(h.nlmsg_type, RTM_NEWROUTE);
    assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    assert_int_equal(h.nlmsg_seq, 22);
    auto r = family_header<rtmsg>(b);
    assert_int_equal(r.rtm_family, AF_INET);
    assert_int_equal(r.rtm_dst_len, 16);
    assert_int_equal(r.rtm_src_len, 0);
    assert_int_equal(r.rtm_table, RT_TABLE_MAIN);
    assert_int_equal(r.rtm_protocol, RTPROT_BOOT);
    assert_int_equal(r.rtm_scope, RT_SCOPE_UNIVERSE);
    assert_int_equal(r.rtm_type, RTN_UNICAST);
    assert_int_equal(b.size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(rtmsg)) + 8 + 8 + 8);
    auto a = top_attrs<rtmsg>(b);
    assert_int_equal(a.size(), 3);
    assert_int_equal(a[0].type, RTA_DST);
    assert_true(a[0].data == addr_bytes(ip("10.1.0.0")));
    assert_int_equal(a[1].type, RTA_GATEWAY);
    assert_true(a[1].data == addr_bytes(ip("10.0.0.1")));
    assert_int_equal(a[2].type, RTA_OIF);
    assert_int_equal(u32(a[2].data), 4);

    // Host bits are cleared (the kernel refuses them for IPv4).
    a = top_attrs<rtmsg>(rtnl::new_route(4, ip("10.1.2.3"), 16, ip("10.0.0.1"), 1));
    assert_true(a[0].data == addr_bytes(ip("10.1.0.0")));
    a = top_attrs<rtmsg>(rtnl::new_route(4, ip("10.1.255.255"), 23, ip("10.0.0.1"), 1));
    assert_true(a[0].data == addr_bytes(ip("10.1.254.0")));
    a = top_attrs<rtmsg>(rtnl::new_route(4, ip("10.1.2.3"), 32, ip("10.0.0.1"), 1));
    assert_true(a[0].data == addr_bytes(ip("10.1.2.3")));

    // Without a destination (or with prefix 0): the default route, byte
    // for byte what new_default_route() sends.
    assert_true(rtnl::new_route(4, IpAddress{}, 0, ip("10.0.0.1"), 23) ==
                rtnl::new_default_route(4, ip("10.0.0.1"), 23));
    assert_true(rtnl::new_route(4, ip("0.0.0.0"), 0, ip("10.0.0.1"), 23) ==
                rtnl::new_default_route(4, ip("10.0.0.1"), 23));
    assert_true(rtnl::new_route(9, IpAddress{}, 0, ip("fd00:77::1"), 24) ==
                rtnl::new_default_route(9, ip("fd00:77::1"), 24));
}

static void ipv6_and_link_scope_routes(void **)
{
    Bytes b = rtnl::new_route(6, ip("fd00:1:2:13::5"), 60, ip("fd00:77::1"), 25);
    header(b);
    auto r = family_header<rtmsg>(b);
    assert_int_equal(r.rtm_family, AF_INET6);
    assert_int_equal(r.rtm_dst_len, 60);
    assert_int_equal(r.rtm_scope, RT_SCOPE_UNIVERSE);
    auto a = top_attrs<rtmsg>(b);
    assert_int_equal(a.size(), 3);
    assert_int_equal(a[0].type, RTA_DST);
    assert_int_equal(a[0].data.size(), 16);
    assert_true(a[0].data == addr_bytes(ip("fd00:1:2:10::")));
    assert_int_equal(a[1].type, RTA_GATEWAY);
    assert_true(a[1].data == addr_bytes(ip("fd00:77::1")));
    assert_int_equal(u32(a[2].data), 6);

    // No gateway: a link-scope route, RTA_DST and RTA_OIF only.
    b = rtnl::new_route(5, ip("10.2.0.0"), 16, IpAddress{}, 26);
    header(b);
    r = family_header<rtmsg>(b);
    assert_int_equal(r.rtm_family, AF_INET);
    assert_int_equal(r.rtm_dst_len, 16);
    assert_int_equal(r.rtm_scope, RT_SCOPE_LINK);
    assert_int_equal(r.rtm_type, RTN_UNICAST);
    assert_int_equal(r.rtm_table, RT_TABLE_MAIN);
    a = top_attrs<rtmsg>(b);
    assert_int_equal(a.size(), 2);
    assert_int_equal(a[0].type, RTA_DST);
    assert_true(a[0].data == addr_bytes(ip("10.2.0.0")));
    assert_int_equal(a[1].type, RTA_OIF);
    assert_int_equal(u32(a[1].data), 5);

    b = rtnl::new_route(5, ip("fd00:5::"), 64, IpAddress{}, 27);
    r = family_header<rtmsg>(b);
    assert_int_equal(r.rtm_family, AF_INET6);
    assert_int_equal(r.rtm_scope, RT_SCOPE_LINK);
    assert_int_equal(top_attrs<rtmsg>(b).size(), 2);
}

static void route_refusals(void **)
{
    EXPECT_ERROR(rtnl::new_route(4, ip("10.1.0.0"), 16, ip("fd00::1"), 1), ISCSI_ERR_INVAL, "different families");
    EXPECT_ERROR(rtnl::new_route(4, ip("fd00:1::"), 48, ip("10.0.0.1"), 1), ISCSI_ERR_INVAL, "different families");
    EXPECT_ERROR(rtnl::new_route(4, ip("10.1.0.0"), 33, ip("10.0.0.1"), 1), ISCSI_ERR_INVAL, "/33 is too long");
    EXPECT_ERROR(rtnl::new_route(4, ip("10.1.0.0"), 33, IpAddress{}, 1), ISCSI_ERR_INVAL, "/33 is too long");
    EXPECT_ERROR(rtnl::new_route(4, ip("fd00:1::"), 129, ip("fd00::1"), 1), ISCSI_ERR_INVAL, "/129 is too long");
    EXPECT_ERROR(rtnl::new_route(4, IpAddress{}, 16, ip("10.0.0.1"), 1), ISCSI_ERR_INVAL, "destination is not set");
    EXPECT_ERROR(rtnl::new_route(4, IpAddress{}, 0, IpAddress{}, 1), ISCSI_ERR_INVAL, "gateway is not set");
}

// An RTM_NEWLINK reply as the kernel sends it, built with MsgBuilder.
static Bytes newlink_reply(const char *kind, int carrier)
{
    rtnl::MsgBuilder m(RTM_NEWLINK, NLM_F_MULTI, 1);
    ifinfomsg ifi{};
    ifi.ifi_index = 3;
    ifi.ifi_flags = IFF_UP | IFF_BROADCAST;
    m.put(&ifi, sizeof ifi);
    m.attr_str(IFLA_IFNAME, "eth1");
    m.attr_u32(IFLA_MTU, 1500);
    const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
    m.attr(IFLA_ADDRESS, mac, 6);
    if (carrier >= 0)
        m.attr_u8(IFLA_CARRIER, (uint8_t)carrier);
    m.attr_u8(IFLA_OPERSTATE, IF_OPER_DOWN);
    if (kind) {
        auto n = m.nest_begin(IFLA_LINKINFO);
        m.attr_str(IFLA_INFO_KIND, kind);
        m.nest_end(n);
    }
    return m.bytes();
}

static void parse_newlink(void **)
{
    Bytes b = newlink_reply("veth", 1);
    auto l = rtnl::parse_link(b.data(), b.size());
    assert_true(l.has_value());
    assert_int_equal(l->index, 3);
    assert_string_equal(l->name.c_str(), "eth1");
    assert_true(l->mac.has_value());
    assert_string_equal(format_mac(*l->mac).c_str(), "52:54:00:ab:cd:ef");
    assert_false(l->perm_mac.has_value());
    assert_int_equal(l->flags, IFF_UP | IFF_BROADCAST);
    assert_int_equal(l->carrier, 1);
    assert_int_equal(l->operstate, IF_OPER_DOWN);
    assert_string_equal(l->kind.c_str(), "veth");
    assert_true(l->has_carrier()); // IFLA_CARRIER wins over operstate
    assert_false(l->stacked());
    b = newlink_reply("vlan", 1);
    assert_true(rtnl::parse_link(b.data(), b.size())->stacked());
    b = newlink_reply("bridge", 1);
    assert_true(rtnl::parse_link(b.data(), b.size())->stacked());

    b = newlink_reply(nullptr, 0);
    l = rtnl::parse_link(b.data(), b.size());
    assert_true(l.has_value());
    assert_string_equal(l->kind.c_str(), "");
    assert_false(l->has_carrier());

    // Without IFLA_CARRIER, operstate decides.
    b = newlink_reply(nullptr, -1);
    l = rtnl::parse_link(b.data(), b.size());
    assert_int_equal(l->carrier, -1);
    assert_false(l->has_carrier());
    Link up;
    up.operstate = IF_OPER_UP;
    assert_true(up.has_carrier());
    up.operstate = IF_OPER_UNKNOWN;
    assert_true(up.has_carrier());
}

static void parse_newlink_rejects_damage(void **)
{
    Bytes b = newlink_reply("veth", 1);
    // Shorter than its nlmsg_len says.
    assert_false(rtnl::parse_link(b.data(), b.size() - 1).has_value());
    assert_false(rtnl::parse_link(b.data(), 10).has_value());
    // Not RTM_NEWLINK.
    Bytes other = b;
    uint16_t t = RTM_NEWADDR;
    memcpy(other.data() + 4, &t, 2);
    assert_false(rtnl::parse_link(other.data(), other.size()).has_value());
    // An attribute claiming to run past the end: parsing stops there, the
    // attributes before it are kept.
    Bytes bad = b;
    std::size_t first = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
    std::size_t second = first + RTA_SPACE(5); // after IFLA_IFNAME "eth1\0"
    unsigned short huge = 0xfff0;
    memcpy(bad.data() + second, &huge, 2);
    auto l = rtnl::parse_link(bad.data(), bad.size());
    assert_true(l.has_value());
    assert_string_equal(l->name.c_str(), "eth1");
    assert_false(l->mac.has_value());
}

static Bytes error_reply(int err, bool capped, const char *ext)
{
    Bytes req = rtnl::new_default_route(4, ip("10.0.0.1"), 21);
    rtnl::MsgBuilder m(NLMSG_ERROR, (capped ? NLM_F_CAPPED : 0) | (ext ? NLM_F_ACK_TLVS : 0), 21);
    nlmsgerr e{};
    e.error = err;
    memcpy(&e.msg, req.data(), sizeof e.msg);
    m.put(&e, sizeof e);
    if (!capped)
        m.put(req.data() + NLMSG_HDRLEN, req.size() - NLMSG_HDRLEN);
    if (ext)
        m.attr_str(NLMSGERR_ATTR_MSG, ext);
    return m.bytes();
}

static void parse_acks(void **)
{
    Bytes b = error_reply(0, true, nullptr);
    auto a = rtnl::parse_ack(b.data(), b.size());
    assert_true(a.has_value());
    assert_int_equal(a->error, 0);
    assert_string_equal(a->message.c_str(), "");

    b = error_reply(-EEXIST, true, "Nexthop has invalid gateway");
    a = rtnl::parse_ack(b.data(), b.size());
    assert_int_equal(a->error, -EEXIST);
    assert_string_equal(a->message.c_str(), "Nexthop has invalid gateway");

    // Without NETLINK_CAP_ACK the request comes back before the TLVs.
    b = error_reply(-ENETUNREACH, false, "Nexthop has invalid gateway");
    a = rtnl::parse_ack(b.data(), b.size());
    assert_int_equal(a->error, -ENETUNREACH);
    assert_string_equal(a->message.c_str(), "Nexthop has invalid gateway");

    assert_false(rtnl::parse_ack(b.data(), 20).has_value());
    Bytes link = newlink_reply(nullptr, 1);
    assert_false(rtnl::parse_ack(link.data(), link.size()).has_value());
}

static void ip_address_text(void **)
{
    auto a = IpAddress::parse("10.0.0.1");
    assert_true(a.has_value());
    assert_int_equal(a->family, AF_INET);
    assert_int_equal(a->bytes[0], 10);
    assert_int_equal(a->bytes[3], 1);
    for (int i = 4; i < 16; ++i)
        assert_int_equal(a->bytes[i], 0);
    assert_true(a->set());
    assert_string_equal(a->text().c_str(), "10.0.0.1");

    a = IpAddress::parse("FD00:0:0::0001");
    assert_true(a.has_value());
    assert_int_equal(a->family, AF_INET6);
    assert_int_equal(a->bytes[0], 0xfd);
    assert_int_equal(a->bytes[15], 1);
    assert_string_equal(a->text().c_str(), "fd00::1");
    assert_string_equal(IpAddress::parse("::ffff:10.1.2.3")->text().c_str(), "::ffff:10.1.2.3");
    assert_string_equal(IpAddress::parse("::")->text().c_str(), "::");

    IpAddress unset;
    assert_false(unset.set());
    assert_string_equal(unset.text().c_str(), "");
}

static void ip_address_garbage(void **)
{
    const char *bad[] = {"",        "10.0.0",    "10.0.0.256", "10.0.0.1.2", " 10.0.0.1", "10.0.0.1 ",
                         "10.0.0.1/24", "fd00:::1", "fd00::1::2", "fd00::g",   "abc",       "localhost",
                         "1.2.3.4:80",  "[fd00::1]"};
    for (const char *s : bad)
        if (IpAddress::parse(s).has_value()) {
            print_error("parsed \"%s\"\n", s);
            fail();
        }
    assert_false(IpAddress::parse(std::string("10.0.0.1\0junk", 13)).has_value());
}

// The MAC text the netconfig code logs and its tool parses (util/mac).
static void mac_text_forms(void **)
{
    auto m = parse_mac("52:54:00:AB:cd:0F");
    assert_true(m.has_value());
    assert_int_equal((*m)[3], 0xab);
    assert_string_equal(format_mac(*m).c_str(), "52:54:00:ab:cd:0f");
    assert_false(parse_mac("52:54:00:ab:cd").has_value());
    assert_string_equal(format_mac(parse_mac("52-54-00-AB-CD-0F").value_or(Mac{})).c_str(), "52:54:00:ab:cd:0f");
    assert_false(parse_mac("52:54:00:ab:cd:0g").has_value());
    assert_false(parse_mac("52:54:00:ab:cd:0f:").has_value());
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(getlink_dump_request),
        cmocka_unit_test(getlink_by_index_and_name),
        cmocka_unit_test(link_up_request),
        cmocka_unit_test(vlan_request),
        cmocka_unit_test(set_link_requests),
        cmocka_unit_test(set_link_refusals),
        cmocka_unit_test(ipv4_address_request),
        cmocka_unit_test(ipv6_address_request),
        cmocka_unit_test(default_route_requests),
        cmocka_unit_test(route_requests),
        cmocka_unit_test(ipv6_and_link_scope_routes),
        cmocka_unit_test(route_refusals),
        cmocka_unit_test(parse_newlink),
        cmocka_unit_test(parse_newlink_rejects_damage),
        cmocka_unit_test(parse_acks),
        cmocka_unit_test(ip_address_text),
        cmocka_unit_test(ip_address_garbage),
        cmocka_unit_test(mac_text_forms),
    };
    return cmocka_run_group_tests_name("rtnl", tests, nullptr, nullptr);
}
