#include "rtnl_msg.hpp"

#include "util/errors.hpp"
#include "util/mac.hpp"
#include "util/text.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace isr::net {

namespace {

static_assert(rtnl::MAX_IFNAME == IFNAMSIZ - 1);
using rtnl::MAX_IFNAME;
constexpr uint32_t MIN_MTU = 68; // IPv4's minimum (RFC 791)

[[noreturn]] void invalid(const std::string &msg) { throw Error(ISCSI_ERR_INVAL, "rtnl: " + msg); }

std::size_t addr_len(const IpAddress &a) { return a.family == AF_INET ? 4 : 16; }

void check_addr(const IpAddress &a, const char *what)
{
    if (a.family != AF_INET && a.family != AF_INET6)
        invalid(std::string(what) + " is not set");
}

// What the kernel's dev_valid_name() accepts: 1..IFNAMSIZ-1 characters,
// not "." or "..", no '/', ':' or white space.
void check_ifname(const std::string &name)
{
    const char *why = nullptr;
    if (name.empty())
        why = "empty";
    else if (name.size() > MAX_IFNAME)
        why = "longer than 15 characters";
    else if (name == "." || name == "..")
        why = "reserved";
    for (unsigned char ch : name)
        if (!why && (ch == '/' || ch == ':' || isspace(ch)))
            why = "'/', ':' and white space are not allowed";
    if (why)
        invalid("bad interface name \"" + text::printable(name) + "\" (" + why + ")");
}

// Call f(type, payload, payload_len) for each attribute in [p, p+len).
template <class F> void for_each_attr(const uint8_t *p, std::size_t len, F f)
{
    std::size_t off = 0;
    while (off + sizeof(rtattr) <= len) {
        rtattr a;
        memcpy(&a, p + off, sizeof a);
        if (a.rta_len < sizeof(rtattr) || a.rta_len > len - off)
            return;
        f(a.rta_type & NLA_TYPE_MASK, p + off + RTA_LENGTH(0), (std::size_t)a.rta_len - RTA_LENGTH(0));
        off += RTA_ALIGN(a.rta_len);
    }
}

std::string attr_string(const uint8_t *p, std::size_t len)
{
    std::size_t n = 0;
    while (n < len && p[n])
        ++n;
    return std::string(reinterpret_cast<const char *>(p), n);
}

bool read_mac(const uint8_t *p, std::size_t len, std::optional<std::array<uint8_t, 6>> &out)
{
    if (len != 6)
        return false;
    std::array<uint8_t, 6> m;
    memcpy(m.data(), p, 6);
    out = m;
    return true;
}

} // namespace

bool Link::has_carrier() const
{
    if (carrier >= 0)
        return carrier != 0;
    return operstate == IF_OPER_UP || operstate == IF_OPER_UNKNOWN;
}

bool Link::stacked() const
{
    static const char *const kinds[] = {"vlan", "macvlan", "macvtap", "ipvlan", "ipvtap", "bond", "bridge", "team"};
    for (auto *k : kinds)
        if (kind == k)
            return true;
    return false;
}

namespace rtnl {

MsgBuilder::MsgBuilder(uint16_t type, uint16_t flags, uint32_t seq) : buf_(NLMSG_HDRLEN, 0)
{
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_HDRLEN;
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    h.nlmsg_pid = 0;
    memcpy(buf_.data(), &h, sizeof h);
}

void MsgBuilder::put(const void *data, std::size_t len)
{
    std::size_t off = buf_.size();
    buf_.resize(off + NLMSG_ALIGN(len), 0);
    memcpy(buf_.data() + off, data, len);
    uint32_t total = (uint32_t)buf_.size();
    memcpy(buf_.data(), &total, sizeof total); // nlmsg_len
}

void MsgBuilder::attr(uint16_t type, const void *data, std::size_t len)
{
    rtattr a{};
    a.rta_len = (unsigned short)RTA_LENGTH(len);
    a.rta_type = type;
    std::size_t off = buf_.size();
    buf_.resize(off + RTA_SPACE(len), 0);
    memcpy(buf_.data() + off, &a, sizeof a);
    if (len)
        memcpy(buf_.data() + off + RTA_LENGTH(0), data, len);
    uint32_t total = (uint32_t)buf_.size();
    memcpy(buf_.data(), &total, sizeof total);
}

std::size_t MsgBuilder::nest_begin(uint16_t type)
{
    std::size_t off = buf_.size();
    attr(type, nullptr, 0);
    return off;
}

void MsgBuilder::nest_end(std::size_t offset)
{
    unsigned short len = (unsigned short)(buf_.size() - offset);
    memcpy(buf_.data() + offset, &len, sizeof len); // rta_len
}

std::vector<uint8_t> getlink_dump(uint32_t seq)
{
    MsgBuilder m(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    m.put(&ifi, sizeof ifi);
    return m.bytes();
}

std::vector<uint8_t> getlink(int index, const std::string &name, uint32_t seq)
{
    MsgBuilder m(RTM_GETLINK, NLM_F_REQUEST, seq);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    m.put(&ifi, sizeof ifi);
    if (index == 0) {
        check_ifname(name);
        m.attr_str(IFLA_IFNAME, name);
    }
    return m.bytes();
}

namespace {

// RTM_SETLINK setting IFF_UP on (`up`) or off.
std::vector<uint8_t> link_updown(int index, bool up, uint32_t seq)
{
    MsgBuilder m(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    ifi.ifi_flags = up ? IFF_UP : 0;
    ifi.ifi_change = IFF_UP;
    m.put(&ifi, sizeof ifi);
    return m.bytes();
}

} // namespace

std::vector<uint8_t> link_up(int index, uint32_t seq) { return link_updown(index, true, seq); }
std::vector<uint8_t> link_down(int index, uint32_t seq) { return link_updown(index, false, seq); }

std::vector<uint8_t> set_link(int index, uint32_t mtu, const std::optional<std::array<uint8_t, 6>> &mac,
                              const std::string &new_name, uint32_t seq)
{
    if (mtu != 0 && mtu < MIN_MTU)
        invalid("MTU " + std::to_string(mtu) + " is below the minimum of " + std::to_string(MIN_MTU));
    if (mac && (((*mac)[0] & 1) || *mac == std::array<uint8_t, 6>{}))
        invalid("MAC " + format_mac(*mac) + " is not a unicast address");
    if (!new_name.empty())
        check_ifname(new_name);
    MsgBuilder m(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    m.put(&ifi, sizeof ifi);
    if (mtu != 0)
        m.attr_u32(IFLA_MTU, mtu);
    if (mac)
        m.attr(IFLA_ADDRESS, mac->data(), mac->size());
    if (!new_name.empty())
        m.attr_str(IFLA_IFNAME, new_name);
    return m.bytes();
}

std::vector<uint8_t> new_vlan(int parent, const std::string &name, uint16_t vid, uint32_t seq)
{
    if (vid < 1 || vid > 4094)
        invalid("VLAN id " + std::to_string(vid) + " is not in 1..4094");
    check_ifname(name);
    MsgBuilder m(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    m.put(&ifi, sizeof ifi);
    m.attr_str(IFLA_IFNAME, name);
    m.attr_u32(IFLA_LINK, (uint32_t)parent);
    std::size_t info = m.nest_begin(IFLA_LINKINFO);
    m.attr_str(IFLA_INFO_KIND, "vlan");
    std::size_t data = m.nest_begin(IFLA_INFO_DATA);
    m.attr_u16(IFLA_VLAN_ID, vid);
    m.nest_end(data);
    m.nest_end(info);
    return m.bytes();
}

std::vector<uint8_t> new_addr(int index, const IpAddress &addr, uint8_t prefix_len, uint32_t seq)
{
    check_addr(addr, "address");
    unsigned max = addr.family == AF_INET ? 32 : 128;
    if (prefix_len > max)
        invalid("prefix length /" + std::to_string(prefix_len) + " is too long for " + addr.text());
    MsgBuilder m(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
    ifaddrmsg ifa{};
    ifa.ifa_family = (uint8_t)addr.family;
    ifa.ifa_prefixlen = prefix_len;
    ifa.ifa_flags = addr.family == AF_INET6 ? IFA_F_NODAD : 0;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = (uint32_t)index;
    m.put(&ifa, sizeof ifa);
    m.attr(IFA_LOCAL, addr.bytes.data(), addr_len(addr));
    m.attr(IFA_ADDRESS, addr.bytes.data(), addr_len(addr));
    if (addr.family == AF_INET && prefix_len <= 30) {
        uint32_t a;
        memcpy(&a, addr.bytes.data(), 4);
        uint32_t host = prefix_len == 0 ? 0xffffffffu : (1u << (32 - prefix_len)) - 1;
        uint32_t brd = a | htonl(host);
        m.attr(IFA_BROADCAST, &brd, 4);
    }
    return m.bytes();
}

std::vector<uint8_t> new_route(int index, const IpAddress &dest, uint8_t prefix_len, const IpAddress &gateway,
                               uint32_t seq)
{
    if (prefix_len > 0 || dest.set())
        check_addr(dest, "destination");
    if (gateway.set() || !dest.set())
        check_addr(gateway, "gateway"); // no destination either: the family is unknown
    if (dest.set() && gateway.set() && dest.family != gateway.family)
        invalid("destination " + dest.text() + " and gateway " + gateway.text() + " are of different families");
    const int family = gateway.set() ? gateway.family : dest.family;
    if (prefix_len > (family == AF_INET ? 32 : 128))
        invalid("prefix length /" + std::to_string(prefix_len) + " is too long for " + dest.text());
    MsgBuilder m(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
    rtmsg r{};
    r.rtm_family = (uint8_t)family;
    r.rtm_dst_len = prefix_len;
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_protocol = RTPROT_BOOT;
    r.rtm_scope = gateway.set() ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    r.rtm_type = RTN_UNICAST;
    m.put(&r, sizeof r);
    if (prefix_len > 0) {
        std::array<uint8_t, 16> net = dest.bytes;
        for (std::size_t i = 0; i < net.size(); ++i) {
            int bits = (int)prefix_len - (int)i * 8; // network bits in byte i
            if (bits < 8)
                net[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        }
        m.attr(RTA_DST, net.data(), addr_len(dest));
    }
    if (gateway.set())
        m.attr(RTA_GATEWAY, gateway.bytes.data(), addr_len(gateway));
    m.attr_u32(RTA_OIF, (uint32_t)index);
    return m.bytes();
}

std::vector<uint8_t> new_default_route(int index, const IpAddress &gateway, uint32_t seq)
{
    return new_route(index, IpAddress{}, 0, gateway, seq);
}

namespace {

// The header of a `type` message whose payload holds at least `payload`
// bytes and which fits in the `len` bytes read; false for anything else.
bool header_of(const uint8_t *msg, std::size_t len, uint16_t type, std::size_t payload, nlmsghdr &h)
{
    if (len < sizeof h)
        return false;
    memcpy(&h, msg, sizeof h);
    return h.nlmsg_type == type && h.nlmsg_len <= len && h.nlmsg_len >= NLMSG_LENGTH(payload);
}

} // namespace

std::optional<Link> parse_link(const uint8_t *msg, std::size_t len)
{
    nlmsghdr h;
    if (!header_of(msg, len, RTM_NEWLINK, sizeof(ifinfomsg), h))
        return std::nullopt;
    ifinfomsg ifi;
    memcpy(&ifi, msg + NLMSG_HDRLEN, sizeof ifi);
    Link l;
    l.index = ifi.ifi_index;
    l.flags = ifi.ifi_flags;
    std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof ifi);
    if (off > h.nlmsg_len)
        off = h.nlmsg_len;
    for_each_attr(msg + off, h.nlmsg_len - off, [&](unsigned type, const uint8_t *p, std::size_t n) {
        switch (type) {
        case IFLA_IFNAME:
            l.name = attr_string(p, n);
            break;
        case IFLA_ADDRESS:
            read_mac(p, n, l.mac);
            break;
        case IFLA_PERM_ADDRESS:
            read_mac(p, n, l.perm_mac);
            break;
        case IFLA_CARRIER:
            if (n >= 1)
                l.carrier = p[0] ? 1 : 0;
            break;
        case IFLA_OPERSTATE:
            if (n >= 1)
                l.operstate = p[0];
            break;
        case IFLA_LINKINFO:
            for_each_attr(p, n, [&](unsigned t, const uint8_t *q, std::size_t k) {
                if (t == IFLA_INFO_KIND)
                    l.kind = attr_string(q, k);
            });
            break;
        default:
            break;
        }
    });
    if (l.index <= 0 || l.name.empty())
        return std::nullopt;
    return l;
}

std::vector<uint8_t> getaddr_dump(uint32_t seq)
{
    MsgBuilder m(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    m.put(&ifa, sizeof ifa);
    return m.bytes();
}

std::optional<Address> parse_addr(const uint8_t *msg, std::size_t len)
{
    nlmsghdr h;
    if (!header_of(msg, len, RTM_NEWADDR, sizeof(ifaddrmsg), h))
        return std::nullopt;
    ifaddrmsg ifa;
    memcpy(&ifa, msg + NLMSG_HDRLEN, sizeof ifa);
    if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
        return std::nullopt;
    const std::size_t alen = ifa.ifa_family == AF_INET ? 4 : 16;
    Address a;
    a.index = (int)ifa.ifa_index;
    a.prefix_len = ifa.ifa_prefixlen;
    a.flags = ifa.ifa_flags;
    IpAddress local, address;
    std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof ifa);
    if (off > h.nlmsg_len)
        off = h.nlmsg_len;
    for_each_attr(msg + off, h.nlmsg_len - off, [&](unsigned type, const uint8_t *p, std::size_t n) {
        IpAddress *to = type == IFA_LOCAL ? &local : type == IFA_ADDRESS ? &address : nullptr;
        if (to && n == alen) {
            to->family = ifa.ifa_family;
            memcpy(to->bytes.data(), p, alen);
        } else if (type == IFA_FLAGS && n >= 4) {
            memcpy(&a.flags, p, 4);
        } else if (type == IFA_CACHEINFO && n >= sizeof(ifa_cacheinfo)) {
            ifa_cacheinfo ci;
            memcpy(&ci, p, sizeof ci);
            a.valid_lft = ci.ifa_valid;
            a.preferred_lft = ci.ifa_prefered;
        }
    });
    a.local = local.set() ? local : address;
    if (a.index <= 0 || !a.local.set())
        return std::nullopt;
    return a;
}

std::optional<Ack> parse_ack(const uint8_t *msg, std::size_t len)
{
    nlmsghdr h;
    if (!header_of(msg, len, NLMSG_ERROR, sizeof(nlmsgerr), h))
        return std::nullopt;
    nlmsgerr e;
    memcpy(&e, msg + NLMSG_HDRLEN, sizeof e);
    Ack a;
    a.error = e.error;
    if (h.nlmsg_flags & NLM_F_ACK_TLVS) {
        // The request is echoed after nlmsgerr unless the ack is capped.
        std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof e);
        if (!(h.nlmsg_flags & NLM_F_CAPPED) && e.msg.nlmsg_len > NLMSG_HDRLEN)
            off += NLMSG_ALIGN(e.msg.nlmsg_len - NLMSG_HDRLEN);
        if (off < h.nlmsg_len)
            for_each_attr(msg + off, h.nlmsg_len - off, [&](unsigned t, const uint8_t *p, std::size_t n) {
                if (t == NLMSGERR_ATTR_MSG)
                    a.message = attr_string(p, n);
            });
    }
    return a;
}

} // namespace rtnl

AddressOwner address_owner(const std::vector<Address> &addrs, int index, const IpAddress &ours)
{
    bool other = false;
    for (const auto &a : addrs) {
        if (a.index != index || a.local.family != AF_INET)
            continue;
        if (a.local.family == ours.family && memcmp(a.local.bytes.data(), ours.bytes.data(), 4) == 0)
            return a.valid_lft == 0xffffffffu ? AddressOwner::OURS : AddressOwner::FINITE;
        other = true;
    }
    return other ? AddressOwner::REPLACED : AddressOwner::GONE;
}

const char *address_owner_text(AddressOwner o)
{
    switch (o) {
    case AddressOwner::OURS: return "ours";
    case AddressOwner::FINITE: return "finite lifetime";
    case AddressOwner::REPLACED: return "replaced by another address";
    case AddressOwner::GONE: return "removed";
    }
    return "?";
}

} // namespace isr::net
