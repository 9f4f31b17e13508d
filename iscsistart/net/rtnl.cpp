#include "rtnl.hpp"

#include "../kernel/modules.hpp"
#include "util/clock.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/mac.hpp"

#include <cerrno>
#include <cstring>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::net {

namespace {

constexpr int REPLY_TIMEOUT_MS = 5000;

} // namespace

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
                   std::string *ext, std::vector<Address> *addrs)
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
            if (h.nlmsg_type == RTM_NEWADDR && addrs) {
                if (auto a = rtnl::parse_addr(msg, h.nlmsg_len))
                    addrs->push_back(*a);
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

std::vector<Address> Rtnl::addresses()
{
    for (int attempt = 0;; ++attempt) {
        std::vector<Address> out;
        std::string ext;
        int err = transact(rtnl::getaddr_dump(++seq_), Mode::DUMP, "list addresses", nullptr, &ext, &out);
        if (err == 0)
            return out;
        if (err != EINTR || attempt >= 4)
            throw Error(err == EPERM ? ISCSI_ERR_ACCESS : ISCSI_ERR_INTERNAL,
                        std::string("rtnl: list addresses failed: ") + strerror(err));
    }
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
        changes += (changes.empty() ? "" : ", ") + std::string("MAC ") + format_mac(*new_mac);
    if (!name.empty())
        changes += (changes.empty() ? "" : ", ") + std::string("renamed to ") + name;
    const bool down = up && (new_mac || !name.empty());
    if (down)
        request(rtnl::link_down(link.index, ++seq_), "set " + link.name + " down");
    request(req, "set " + link.name + " " + changes);
    log::info("%s: %s%s", link.name.c_str(), changes.c_str(), down ? " (link set down for it)" : "");
}

Link Rtnl::create_vlan(const Link &parent, uint16_t vid, const std::string &given_name)
{
    std::string name = given_name;
    if (name.empty())
        name = parent.name + "." + std::to_string(vid);
    if (given_name.empty() && name.size() > rtnl::MAX_IFNAME)
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
