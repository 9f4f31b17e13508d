#include "dhcp_client.hpp"
#include "dhcp_exchange.hpp"
#include "crypto/crypto.hpp"

#include "util/secret.hpp"

#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::dhcp {

namespace {

constexpr int FIRST_INTERVAL_MS = 1000;
constexpr int MAX_INTERVAL_MS = 8000;
constexpr int REQUEST_TRIES = 4;
constexpr int NAK_DELAY_MS = 1000;


uint32_t random32()
{
    auto b = crypto::unique_bytes(4); // xid and jitter: unique, not secret
    return bytes::get_be32(b.data());
}

// The wait before retransmission `attempt` (0-based): 1 s doubling up to
// 8 s, randomized by +/-25% (RFC 2131 4.1 asks for +/-1 s at 4 s).
int interval_ms(int attempt)
{
    int base = FIRST_INTERVAL_MS << std::min(attempt, 3);
    base = std::min(base, MAX_INTERVAL_MS);
    uint32_t r = random32() & 0xffff; // 0..65535
    return (int)(base * 0.75 + base * 0.5 * r / 65535.0);
}

std::string seconds_text(int ms)
{
    char buf[32];
    if (ms % 1000 == 0)
        snprintf(buf, sizeof buf, "%d s", ms / 1000);
    else
        snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
    return buf;
}

std::string lease_line(const std::string &ifname, const Lease &l)
{
    std::string s = ifname + ": DHCP lease " + l.your_ip.text();
    if (l.prefix_len)
        s += "/" + std::to_string(l.prefix_len);
    if (!l.routers.empty())
        s += " via " + l.routers[0].text();
    std::string extra;
    if (!l.root_path.empty())
        extra = "root-path " + mask_uri_credentials(l.root_path);
    if (!l.initiator_name.empty())
        extra += (extra.empty() ? "" : ", ") + std::string("initiator ") + l.initiator_name;
    if (!extra.empty())
        s += " (" + extra + ")";
    return s;
}

// A packet socket on one interface, IPv4 frames only.
class PacketSocket {
public:
    explicit PacketSocket(const std::string &ifname) : ifname_(ifname)
    {
        if (ifname.empty() || ifname.size() >= IFNAMSIZ)
            throw Error(ISCSI_ERR_INVAL, "dhcp: bad interface name \"" + ifname + "\"");
        // Protocol 0: nothing is queued until bind() names the interface.
        fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            fail("cannot open a packet socket");
        ifreq ifr{};
        memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
        if (ioctl(fd_, SIOCGIFINDEX, &ifr) != 0) {
            if (errno == ENODEV)
                throw Error(ISCSI_ERR_TRANS, ifname + ": no such network interface");
            fail("cannot find the interface");
        }
        index_ = ifr.ifr_ifindex;
        if (ioctl(fd_, SIOCGIFHWADDR, &ifr) != 0)
            fail("cannot read the MAC address");
        if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
            throw Error(ISCSI_ERR_INVAL, ifname + ": DHCP needs an Ethernet interface");
        memcpy(mac_.data(), ifr.ifr_hwaddr.sa_data, 6);
        if (ioctl(fd_, SIOCGIFFLAGS, &ifr) != 0)
            fail("cannot read the interface flags");
        if (!(ifr.ifr_flags & IFF_UP))
            throw Error(ISCSI_ERR_TRANS, ifname + ": interface is down");
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_protocol = htons(ETH_P_IP);
        sll.sll_ifindex = index_;
        if (bind(fd_, (sockaddr *)&sll, sizeof sll) != 0)
            fail("cannot bind the packet socket");
    }
    ~PacketSocket()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    PacketSocket(const PacketSocket &) = delete;
    PacketSocket &operator=(const PacketSocket &) = delete;

    const Mac &mac() const { return mac_; }

    // Broadcast one frame; false on a transient failure (logged).
    bool send(const Bytes &frame)
    {
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_protocol = htons(ETH_P_IP);
        to.sll_ifindex = index_;
        to.sll_halen = 6;
        memset(to.sll_addr, 0xff, 6);
        if (sendto(fd_, frame.data(), frame.size(), 0, (sockaddr *)&to, sizeof to) == (ssize_t)frame.size())
            return true;
        int e = errno;
        if (e == ENETDOWN || e == ENXIO || e == ENODEV)
            throw Error(ISCSI_ERR_TRANS, ifname_ + ": cannot send DHCP: " + strerror(e));
        if (e == ENOBUFS || e == EAGAIN || e == EINTR) {
            log::debug(1, "%s: DHCP send: %s (will retry)", ifname_.c_str(), strerror(e));
            return false;
        }
        throw Error(ISCSI_ERR_INTERNAL, ifname_ + ": cannot send DHCP: " + strerror(e));
    }

    // Wait up to `wait_ms` for one IPv4 packet for us; its length, 0 when
    // none came (or it was not one to look at).
    std::size_t receive(uint8_t *buf, std::size_t size, int wait_ms)
    {
        pollfd p{fd_, POLLIN, 0};
        int n = poll(&p, 1, std::max(wait_ms, 0));
        if (n < 0 && errno != EINTR)
            fail("poll failed");
        if (n <= 0)
            return 0;
        sockaddr_ll from{};
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(fd_, buf, size, MSG_TRUNC | MSG_DONTWAIT, (sockaddr *)&from, &fl);
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return 0;
            if (errno == ENETDOWN)
                throw Error(ISCSI_ERR_TRANS, ifname_ + ": interface went down");
            fail("receive failed");
        }
        if ((std::size_t)r > size || from.sll_pkttype == PACKET_OUTGOING || from.sll_pkttype == PACKET_OTHERHOST)
            return 0;
        return (std::size_t)r;
    }

private:
    [[noreturn]] void fail(const std::string &what)
    {
        int e = errno;
        int code = (e == EPERM || e == EACCES) ? ISCSI_ERR_ACCESS : ISCSI_ERR_INTERNAL;
        throw Error(code, ifname_ + ": DHCP: " + what + ": " + strerror(e));
    }

    std::string ifname_;
    int fd_ = -1;
    int index_ = 0;
    Mac mac_{};
};

} // namespace

Lease dhcp_acquire(const std::string &ifname, int timeout_ms)
{
    if (timeout_ms <= 0)
        throw Error(ISCSI_ERR_INVAL, ifname + ": bad DHCP timeout " + std::to_string(timeout_ms) + " ms");
    PacketSocket sock(ifname);
    const char *ifn = ifname.c_str();
    const long long start = monotonic_ms();
    const long long deadline = start + timeout_ms;

    Exchange ex(sock.mac(), random32());
    using State = Exchange::State;
    long long next_send = start;
    long request_at = -1; // CLOCK_BOOTTIME ms of the first REQUEST of the current offer
    bool offered = false;  // an OFFER ever came (for the timeout message)
    std::vector<uint8_t> buf(65536);

    for (;;) {
        long long now = monotonic_ms();
        if (now >= deadline) {
            std::string msg = ifname + ": no DHCP answer in " + seconds_text(timeout_ms);
            if (offered)
                msg += " (offer " + ex.offer().your_ip.text() + " from " + ex.offer().server_id.text() +
                       " not acknowledged)";
            throw Error(ISCSI_ERR_TRANS_TIMEOUT, msg, Retry::YES);
        }
        if (now >= next_send) {
            if (ex.state() == State::REQUESTING && ex.attempts() >= REQUEST_TRIES) {
                log::info("%s: DHCP no ACK from %s, discovering again", ifn, ex.offer().server_id.text().c_str());
                ex.restart(random32());
            }
            const int attempt = ex.attempts();
            const bool discover = ex.state() == State::SELECTING;
            uint16_t secs = (uint16_t)std::min<long long>((now - start) / 1000, 0xffff);
            Bytes msg = ex.next_message(secs);
            if (discover)
                request_at = -1;
            else if (request_at < 0)
                request_at = boottime_ms();
            if (sock.send(frame_request(msg))) {
                char x[16];
                snprintf(x, sizeof x, "0x%08x", ex.xid());
                if (discover && attempt == 0)
                    log::info("%s: DHCP discover (xid %s)", ifn, x);
                else if (!discover && attempt == 0)
                    log::info("%s: DHCP request %s from %s", ifn, ex.offer().your_ip.text().c_str(),
                              ex.offer().server_id.text().c_str());
                else
                    log::debug(1, "%s: DHCP %s again (xid %s, try %d)", ifn, discover ? "discover" : "request", x,
                               attempt + 1);
            }
            next_send = monotonic_ms() + interval_ms(attempt);
        }

        now = monotonic_ms();
        std::size_t n = sock.receive(buf.data(), buf.size(), (int)(std::min(next_send, deadline) - now));
        if (n == 0)
            continue;
        auto udp = udp_payload(buf.data(), n);
        if (!udp)
            continue;
        const uint8_t *p = buf.data() + udp->first;
        auto rx = message_xid(p, udp->second);
        if (!rx || *rx != ex.xid())
            continue;
        Lease l;
        try {
            l = parse_reply(p, udp->second, ex.xid(), sock.mac());
        } catch (const Error &e) {
            log::debug(1, "%s: ignoring a DHCP reply: %s", ifn, e.what());
            continue;
        }
        switch (ex.receive(l)) {
        case Exchange::Event::OFFERED:
            log::info("%s: DHCP offer %s from %s", ifn, l.your_ip.text().c_str(), l.server_id.text().c_str());
            // The ACK's options are the ones used; its warnings are shown.
            for (const auto &w : l.warnings)
                log::debug(1, "%s: in the offer: %s", ifn, w.c_str());
            offered = true;
            next_send = monotonic_ms();
            break;
        case Exchange::Event::ACKED:
            for (const auto &w : l.warnings)
                log::info("warning: %s: %s", ifn, w.c_str());
            log::info("%s", lease_line(ifname, l).c_str());
            // what the renewal needs (RFC 2131 4.4.5: the lease runs from
            // the REQUEST, and renewals send the same client identifier)
            l.by_dhcp = true;
            l.client_id = client_id_of(sock.mac());
            l.bound_at_s = (request_at >= 0 ? request_at : boottime_ms()) / 1000;
            return l;
        case Exchange::Event::NAKED:
            for (const auto &w : l.warnings)
                log::debug(1, "%s: in the NAK: %s", ifn, w.c_str());
            log::info("%s: DHCP NAK from %s%s%s, starting over", ifn, ex.offer().server_id.text().c_str(),
                      l.message.empty() ? "" : ": ", text::printable(l.message).c_str());
            ex.restart(random32());
            next_send = monotonic_ms() + NAK_DELAY_MS;
            break;
        case Exchange::Event::IGNORED:
            log::debug(1, "%s: ignoring DHCP message type %d", ifn, (int)l.type);
            break;
        }
    }
}

} // namespace isr::dhcp
