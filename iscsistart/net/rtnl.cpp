#include "rtnl.hpp"

#include "../kernel/modules.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/clock.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::net {

namespace {

constexpr int REPLY_TIMEOUT_MS = 5000;
constexpr std::size_t MAX_IFNAME = IFNAMSIZ - 1;
constexpr uint32_t MIN_MTU = 68; // IPv4's minimum (RFC 791)


[[noreturn]] void invalid(const std::string &msg) { throw Error(ISCSI_ERR_INVAL, "rtnl: " + msg); }

std::size_t addr_len(const IpAddress &a) { return a.family == AF_INET ? 4 : 16; }

void check_addr(const IpAddress &a, const char *what)
{
    if (a.family != AF_INET && a.family != AF_INET6)
        invalid(std::string(what) + " is not set");
}

// `s` for a one-line message: control characters become '?'.
std::string printable(const std::string &s)
{
    std::string out = s;
    for (auto &ch : out)
        if ((unsigned char)ch < 0x20 || ch == 0x7f)
            ch = '?';
    return out;
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
        invalid("bad interface name \"" + printable(name) + "\" (" + why + ")");
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

std::string mac_text(const std::array<uint8_t, 6> &mac)
{
    char buf[18];
    snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

std::optional<std::array<uint8_t, 6>> parse_mac(const std::string &s)
{
    if (s.size() != 17)
        return std::nullopt;
    std::array<uint8_t, 6> m{};
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    for (int i = 0; i < 6; ++i) {
        int hi = hex(s[i * 3]), lo = hex(s[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
            return std::nullopt;
        m[i] = (uint8_t)(hi << 4 | lo);
    }
    return m;
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

std::vector<uint8_t> set_link(int index, uint32_t mtu, const std::optional<std::array<uint8_t, 6>> &mac,
                              const std::string &new_name, uint32_t seq)
{
    if (mtu != 0 && mtu < MIN_MTU)
        invalid("MTU " + std::to_string(mtu) + " is below the minimum of " + std::to_string(MIN_MTU));
    if (mac && (((*mac)[0] & 1) || *mac == std::array<uint8_t, 6>{}))
        invalid("MAC " + mac_text(*mac) + " is not a unicast address");
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

std::optional<Link> parse_link(const uint8_t *msg, std::size_t len)
{
    nlmsghdr h;
    if (len < sizeof h)
        return std::nullopt;
    memcpy(&h, msg, sizeof h);
    if (h.nlmsg_type != RTM_NEWLINK || h.nlmsg_len > len || h.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg)))
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

std::optional<Ack> parse_ack(const uint8_t *msg, std::size_t len)
{
    nlmsghdr h;
    if (len < sizeof h)
        return std::nullopt;
    memcpy(&h, msg, sizeof h);
    if (h.nlmsg_type != NLMSG_ERROR || h.nlmsg_len > len || h.nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
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

// ---------------------------------------------------------------------------

Rtnl::Rtnl()
{
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd_ < 0)
        throw Error(ISCSI_ERR_INTERNAL, std::string("rtnl: cannot open NETLINK_ROUTE socket: ") + strerror(errno));
    int one = 1;
    // Best effort: the kernel's reason text in errors, and short acks.
    (void)setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    (void)setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (bind(fd_, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
        int e = errno;
        close(fd_);
        fd_ = -1;
        throw Error(ISCSI_ERR_INTERNAL, std::string("rtnl: cannot bind NETLINK_ROUTE socket: ") + strerror(e));
    }
}

Rtnl::~Rtnl()
{
    if (fd_ >= 0)
        close(fd_);
}

int Rtnl::transact(const std::vector<uint8_t> &req, Mode mode, const std::string &what, std::vector<Link> *links,
                   std::string *ext)
{
    nlmsghdr rh;
    memcpy(&rh, req.data(), sizeof rh);
    const uint32_t seq = rh.nlmsg_seq;

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do
        sent = sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof kernel);
    while (sent < 0 && errno == EINTR);
    if (sent < 0)
        throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: cannot send: " + strerror(errno));

    const long deadline = monotonic_ms() + REPLY_TIMEOUT_MS;
    bool interrupted = false;
    std::vector<uint8_t> buf;
    for (;;) {
        long left = deadline - monotonic_ms();
        pollfd p{fd_, POLLIN, 0};
        int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: poll: " + strerror(errno));
        if (pr == 0)
            throw Error(ISCSI_ERR_INTERNAL,
                        "rtnl: " + what + " failed: no reply from the kernel in " + std::to_string(REPLY_TIMEOUT_MS) +
                            " ms");
        // Learn the datagram's size first: dumps may exceed any fixed buffer.
        ssize_t n = recv(fd_, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: receive: " + strerror(errno));
        buf.assign(n > 0 ? (std::size_t)n : 1, 0);
        sockaddr_nl from{};
        socklen_t fl = sizeof from;
        n = recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&from), &fl);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: receive: " + strerror(errno));
        if (from.nl_pid != 0)
            continue; // not from the kernel

        std::size_t off = 0;
        while (off + NLMSG_HDRLEN <= (std::size_t)n) {
            nlmsghdr h;
            memcpy(&h, buf.data() + off, sizeof h);
            if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > (std::size_t)n - off)
                break;
            const uint8_t *msg = buf.data() + off;
            off += NLMSG_ALIGN(h.nlmsg_len);
            if (h.nlmsg_seq != seq)
                continue; // a stale reply to an earlier request
            if (h.nlmsg_flags & NLM_F_DUMP_INTR)
                interrupted = true;
            if (h.nlmsg_type == NLMSG_ERROR) {
                auto a = rtnl::parse_ack(msg, h.nlmsg_len);
                if (!a)
                    throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: malformed reply");
                if (ext)
                    *ext = a->message;
                return -a->error;
            }
            if (h.nlmsg_type == NLMSG_DONE && mode == Mode::DUMP) {
                int err = 0;
                if (h.nlmsg_len >= NLMSG_LENGTH(sizeof err))
                    memcpy(&err, msg + NLMSG_HDRLEN, sizeof err);
                if (err < 0)
                    return -err;
                return interrupted ? EINTR : 0;
            }
            if (h.nlmsg_type == RTM_NEWLINK && links) {
                if (auto l = rtnl::parse_link(msg, h.nlmsg_len))
                    links->push_back(*l);
                if (mode == Mode::GET)
                    return 0;
            }
        }
    }
}

void Rtnl::request(const std::vector<uint8_t> &req, const std::string &what, int ok_errno)
{
    std::string ext;
    int err = transact(req, Mode::ACK, what, nullptr, &ext);
    if (err == 0 || err == ok_errno)
        return;
    std::string msg = "rtnl: " + what + " failed: " + strerror(err);
    if (!ext.empty())
        msg += " (" + ext + ")";
    throw Error(err == EPERM || err == EACCES ? ISCSI_ERR_ACCESS : ISCSI_ERR_INTERNAL, msg);
}

std::vector<Link> Rtnl::links()
{
    // A dump that races with a change is marked NLM_F_DUMP_INTR: redo it.
    for (int attempt = 0;; ++attempt) {
        std::vector<Link> out;
        std::string ext;
        int err = transact(rtnl::getlink_dump(++seq_), Mode::DUMP, "list links", &out, &ext);
        if (err == 0)
            return out;
        if (err != EINTR || attempt >= 4)
            throw Error(err == EPERM ? ISCSI_ERR_ACCESS : ISCSI_ERR_INTERNAL,
                        std::string("rtnl: list links failed: ") + strerror(err));
    }
}

std::optional<Link> Rtnl::link_by_mac(const std::array<uint8_t, 6> &mac)
{
    std::optional<Link> best;
    for (auto &l : links()) {
        if ((l.mac != mac && l.perm_mac != mac) || l.stacked())
            continue;
        if (l.kind.empty())
            return l; // hardware: best possible match
        if (!best)
            best = l;
    }
    return best;
}

std::optional<Link> Rtnl::link_by_index(int index)
{
    std::vector<Link> out;
    std::string what = "read link " + std::to_string(index);
    int err = transact(rtnl::getlink(index, "", ++seq_), Mode::GET, what, &out, nullptr);
    if (err == ENODEV || (err == 0 && out.empty()))
        return std::nullopt;
    if (err)
        throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: " + strerror(err));
    return out.front();
}

std::optional<Link> Rtnl::link_by_name(const std::string &name)
{
    std::vector<Link> out;
    std::string what = "read link " + name;
    int err = transact(rtnl::getlink(0, name, ++seq_), Mode::GET, what, &out, nullptr);
    if (err == ENODEV || (err == 0 && out.empty()))
        return std::nullopt;
    if (err)
        throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: " + strerror(err));
    return out.front();
}

void Rtnl::set_up(const Link &link) { request(rtnl::link_up(link.index, ++seq_), "set " + link.name + " up"); }

void Rtnl::set_link(const Link &link, uint32_t mtu, const std::optional<std::array<uint8_t, 6>> &mac,
                    const std::string &new_name)
{
    std::optional<std::array<uint8_t, 6>> new_mac = mac;
    std::string name = new_name;
    bool up = false;
    if (new_mac || !name.empty()) {
        // Flags, MAC and name as they are now, not as the caller last saw them.
        auto cur = link_by_index(link.index);
        if (!cur)
            throw Error(ISCSI_ERR_INTERNAL, "rtnl: set " + link.name + ": the link has gone");
        if (new_mac && cur->mac == new_mac)
            new_mac.reset();
        if (name == cur->name)
            name.clear();
        up = (cur->flags & IFF_UP) != 0;
    }
    if (mtu == 0 && !new_mac && name.empty())
        return;
    auto req = rtnl::set_link(link.index, mtu, new_mac, name, ++seq_); // refuses bad values before any change

    std::string changes;
    if (mtu != 0)
        changes = "MTU " + std::to_string(mtu);
    if (new_mac)
        changes += (changes.empty() ? "" : ", ") + std::string("MAC ") + mac_text(*new_mac);
    if (!name.empty())
        changes += (changes.empty() ? "" : ", ") + std::string("renamed to ") + name;
    const bool down = up && (new_mac || !name.empty());
    if (down)
        request(rtnl::link_updown(link.index, false, ++seq_), "set " + link.name + " down");
    request(req, "set " + link.name + " " + changes);
    log::info("%s: %s%s", link.name.c_str(), changes.c_str(), down ? " (link set down for it)" : "");
}

Link Rtnl::create_vlan(const Link &parent, uint16_t vid, const std::string &given_name)
{
    std::string name = given_name;
    if (name.empty())
        name = parent.name + "." + std::to_string(vid);
    if (given_name.empty() && name.size() > MAX_IFNAME)
        name = "vlan" + std::to_string(vid);
    const std::string what = "create VLAN " + name + " on " + parent.name;
    std::string ext;
    int err = transact(rtnl::new_vlan(parent.index, name, vid, ++seq_), Mode::ACK, what, nullptr, &ext);
    if (err == EOPNOTSUPP) {
        // The kernel knows no "vlan" link kind: 8021q is a module not loaded
        // (and the kernel's own request_module found no modprobe).
        if (kernel::load_module("8021q"))
            err = transact(rtnl::new_vlan(parent.index, name, vid, ++seq_), Mode::ACK, what, nullptr, &ext);
        if (err == EOPNOTSUPP)
            throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: the kernel has no 802.1Q VLAN support (8021q)");
    }
    if (err != 0 && err != EEXIST) {
        std::string msg = "rtnl: " + what + " failed: " + strerror(err);
        if (!ext.empty())
            msg += " (" + ext + ")";
        throw Error(err == EPERM ? ISCSI_ERR_ACCESS : ISCSI_ERR_INTERNAL, msg);
    }
    auto l = link_by_name(name);
    if (!l)
        throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + ": the device did not appear");
    if (l->kind != "vlan")
        throw Error(ISCSI_ERR_INTERNAL, "rtnl: " + what + " failed: " + name + " exists and is not a VLAN");
    return *l;
}

void Rtnl::add_address(const Link &link, const IpAddress &addr, uint8_t prefix_len)
{
    request(rtnl::new_addr(link.index, addr, prefix_len, ++seq_),
            "add address " + addr.text() + "/" + std::to_string(prefix_len) + " to " + link.name, EEXIST);
}

void Rtnl::add_route(const Link &link, const IpAddress &dest, uint8_t prefix_len, const IpAddress &gateway)
{
    std::string what =
        prefix_len == 0 ? "add default route" : "add route " + dest.text() + "/" + std::to_string(prefix_len);
    if (gateway.set())
        what += " via " + gateway.text();
    request(rtnl::new_route(link.index, dest, prefix_len, gateway, ++seq_), what + " on " + link.name, EEXIST);
}

void Rtnl::add_default_route(const Link &link, const IpAddress &gateway) { add_route(link, IpAddress{}, 0, gateway); }

bool Rtnl::carrier(int index)
{
    auto l = link_by_index(index);
    return l && l->has_carrier();
}

} // namespace isr::net
