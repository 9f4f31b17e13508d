#include "lease_keeper.hpp"

#include "../dhcp/lease_file.hpp"
#include "../dhcp/renew.hpp"
#include "../net/rtnl.hpp"
#include "crypto/crypto.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <optional>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace isr::supervise {

namespace {

constexpr long SCAN_MS = 30000;       // look for lease files / try locks this often
constexpr long ADDR_CHECK_MS = 5000;  // read the interface's addresses this often

uint32_t random32()
{
    auto b = crypto::random_bytes(4);
    return bytes::get_be32(b.data());
}

bool read_fd(int fd, std::string &out)
{
    out.clear();
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 && out.size() < (1u << 16))
        out.append(buf, (std::size_t)n);
    return n == 0;
}

} // namespace

struct LeaseKeeper::Iface {
    std::string name;
    int lock_fd = -1;   // held: we renew this one
    std::optional<dhcp::Renewal> renewal;
    Mac mac{};
    int sock = -1;      // UDP port 68, while renewing
    uint32_t xid = 0;
    long xid_at = 0;    // first send of the xid (for secs)
    long next_tick = 0;
    long next_check = 0;
    bool sock_error_logged = false;

    ~Iface()
    {
        if (sock >= 0)
            close(sock);
        if (lock_fd >= 0)
            close(lock_fd);
    }
};

namespace {

using Iface = LeaseKeeper::Iface;

void close_sock(Iface &f)
{
    if (f.sock >= 0)
        close(f.sock);
    f.sock = -1;
}

// The UDP socket of a bound client (RFC 2131 4.4.5 lets RENEWING and
// REBINDING use the normal IP stack): port 68 on the interface only.
bool open_sock(Iface &f)
{
    if (f.sock >= 0)
        return true;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(dhcp::CLIENT_PORT);
    const char *step = "socket";
    if (s >= 0 && (step = "SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)) == 0 &&
        (step = "SO_BROADCAST", setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one)) == 0 &&
        (step = "SO_BINDTODEVICE", setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, f.name.c_str(), f.name.size())) == 0 &&
        (step = "bind to port 68", bind(s, (sockaddr *)&a, sizeof a)) == 0) {
        f.sock = s;
        f.sock_error_logged = false;
        return true;
    }
    if (!f.sock_error_logged)
        log::error("%s: DHCP renewal: %s failed: %s; trying again later", f.name.c_str(), step, strerror(errno));
    f.sock_error_logged = true;
    if (s >= 0)
        close(s);
    return false;
}

bool read_mac(const std::string &ifname, Mac &mac)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return false;
    ifreq ifr{};
    memcpy(ifr.ifr_name, ifname.c_str(), std::min(ifname.size(), (std::size_t)IFNAMSIZ - 1));
    bool ok = ioctl(s, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
    if (ok)
        memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, 6);
    close(s);
    return ok;
}

// Whether our address is still ours; logs and stops the renewal when not.
bool still_ours(Iface &f)
{
    const auto &ip = f.renewal->lease().your_ip;
    net::AddressOwner o = net::AddressOwner::GONE;
    unsigned index = if_nametoindex(f.name.c_str());
    try {
        if (index) {
            net::Rtnl nl;
            o = net::address_owner(nl.addresses(), (int)index, ip);
        }
    } catch (const Error &e) {
        log::debug(1, "%s: DHCP renewal: %s", f.name.c_str(), e.what());
        return true; // cannot tell now: ask again later
    }
    if (o == net::AddressOwner::OURS)
        return true;
    log::info("%s: address %s now managed by another program (%s); stopping DHCP renewal", f.name.c_str(),
              ip.text().c_str(), index ? net::address_owner_text(o) : "interface gone");
    f.renewal->stop();
    close_sock(f);
    return false;
}

void save(Iface &f, int dirfd)
{
    dhcp::Lease l = f.renewal->lease();
    l.bound_at_s = f.renewal->bound_at_ms() / 1000;
    try {
        dhcp::write_lease_at(l, f.name, dirfd, "/run/iscsiroot");
    } catch (const Error &e) {
        log::error("%s: %s", f.name.c_str(), e.what());
    }
}

void handle(Iface &, const dhcp::Renewal::Step &s)
{
    if (!s.log.empty())
        log::info("%s", s.log.c_str());
}

// Read what came on the socket; hand the replies for our xid over.
void receive(Iface &f, long now, int dirfd)
{
    if (f.sock < 0)
        return;
    uint8_t buf[2048];
    for (;;) {
        ssize_t n = recv(f.sock, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0)
            return;
        auto rx = dhcp::message_xid(buf, (std::size_t)n);
        if (!rx || *rx != f.xid)
            continue;
        dhcp::Lease r;
        try {
            r = dhcp::parse_reply(buf, (std::size_t)n, f.xid, f.mac);
        } catch (const Error &e) {
            log::debug(1, "%s: ignoring a DHCP reply: %s", f.name.c_str(), e.what());
            continue;
        }
        auto st = f.renewal->receive(r, now);
        handle(f, st);
        if (st.write_lease)
            save(f, dirfd);
        f.next_tick = now; // the timers changed
    }
}

void send_request(Iface &f, const dhcp::Renewal::Step &s, long now)
{
    if (!open_sock(f))
        return;
    const auto &l = f.renewal->lease();
    uint16_t secs = (uint16_t)std::min<long>((now - f.xid_at) / 1000, 0xffff);
    dhcp::Bytes msg;
    try {
        msg = dhcp::build_renew(f.mac, f.xid, secs, l.your_ip, l.client_id);
    } catch (const Error &e) {
        log::error("%s: DHCP renewal: %s; stopping it", f.name.c_str(), e.what());
        f.renewal->stop();
        return;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(dhcp::SERVER_PORT);
    if (s.broadcast)
        to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
    else
        memcpy(&to.sin_addr, l.server_id.bytes.data(), 4);
    if (sendto(f.sock, msg.data(), msg.size(), 0, (sockaddr *)&to, sizeof to) != (ssize_t)msg.size()) {
        log::debug(1, "%s: DHCP renewal: send failed: %s", f.name.c_str(), strerror(errno));
        return;
    }
    f.renewal->sent(now);
    char x[16];
    snprintf(x, sizeof x, "0x%08x", f.xid);
    if (s.new_xid && f.renewal->state() != dhcp::Renewal::State::ENDED)
        log::info("%s: DHCP %s %s (%s, xid %s)", f.name.c_str(),
                  s.broadcast ? "rebinding" : "renewing", l.your_ip.text().c_str(),
                  s.broadcast ? "broadcast" : ("to " + l.server_id.text()).c_str(), x);
    else
        log::debug(1, "%s: DHCP request for %s again (%s, xid %s)", f.name.c_str(), l.your_ip.text().c_str(),
                   dhcp::state_name(f.renewal->state()), x);
}

void run_iface(Iface &f, long now, int dirfd)
{
    using State = dhcp::Renewal::State;
    if (!f.renewal || f.renewal->state() == State::STOPPED || f.renewal->state() == State::INFINITE)
        return;
    if (now >= f.next_check) {
        f.next_check = now + ADDR_CHECK_MS;
        if (!still_ours(f))
            return;
    }
    receive(f, now, dirfd);
    if (now < f.next_tick)
        return;
    auto s = f.renewal->tick(now);
    handle(f, s);
    if (s.new_xid) {
        f.xid = random32();
        f.xid_at = now;
    }
    if (s.send && still_ours(f))
        send_request(f, s, now);
    if (f.renewal->state() == State::BOUND)
        close_sock(f);
    f.next_tick = s.next_ms < 0 ? now + SCAN_MS : s.next_ms;
}

} // namespace

LeaseKeeper::LeaseKeeper(int proc_fd, std::string run_dir) : proc_fd_(proc_fd), run_dir_(std::move(run_dir)) {}

LeaseKeeper::~LeaseKeeper() = default;

void LeaseKeeper::tick()
{
    try {
        const long now = boottime_ms();
        int dirfd = proc_fd_ >= 0 || proc_fd_ == AT_FDCWD
                        ? openat(proc_fd_, run_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                        : -1;
        if (dirfd < 0)
            return; // no lease written (iBFT without one, or not yet)
        if (now >= next_scan_) {
            next_scan_ = now + SCAN_MS;
            int dup_fd = dup(dirfd);
            DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : nullptr;
            if (!d && dup_fd >= 0)
                close(dup_fd);
            while (d) {
                dirent *e = readdir(d);
                if (!e)
                    break;
                std::string n = e->d_name;
                if (n.size() <= 6 || n[0] == '.' || n.compare(n.size() - 6, 6, ".lease") != 0)
                    continue;
                std::string ifname = n.substr(0, n.size() - 6);
                Iface *f = nullptr;
                for (auto &p : ifaces_)
                    if (p->name == ifname)
                        f = p.get();
                if (f && f->lock_fd >= 0)
                    continue; // ours already
                int fd = openat(dirfd, n.c_str(), O_RDONLY | O_CLOEXEC);
                std::string text;
                bool ok = fd >= 0 && read_fd(fd, text);
                if (fd >= 0)
                    close(fd);
                if (!ok)
                    continue;
                std::string in_file;
                dhcp::Lease l;
                try {
                    l = dhcp::parse_lease_text(text, in_file);
                } catch (const Error &err) {
                    log::debug(1, "%s: %s", n.c_str(), err.what());
                    continue;
                }
                if (!l.by_dhcp || in_file != ifname || !l.your_ip.set() || l.your_ip.family != AF_INET ||
                    !l.server_id.set())
                    continue;
                if (!f) {
                    ifaces_.push_back(std::make_unique<Iface>());
                    f = ifaces_.back().get();
                    f->name = ifname;
                }
                int lk = openat(dirfd, ("dhcp-" + ifname + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
                if (lk < 0)
                    continue;
                if (flock(lk, LOCK_EX | LOCK_NB) != 0) {
                    close(lk); // another supervisor renews this one
                    continue;
                }
                f->lock_fd = lk;
                if (!read_mac(ifname, f->mac)) {
                    log::info("%s: cannot read the MAC address; not renewing its DHCP lease", ifname.c_str());
                    continue;
                }
                const long bound_at = l.bound_at_s >= 0 ? l.bound_at_s * 1000L : now;
                f->renewal.emplace(ifname, l, bound_at);
                const auto &t = f->renewal->timers();
                if (t.infinite)
                    log::info("%s: DHCP lease for %s does not end; nothing to renew", ifname.c_str(),
                              l.your_ip.text().c_str());
                else
                    log::info("%s: keeping the DHCP lease for %s from %s (%u s, T1 %u s, T2 %u s)", ifname.c_str(),
                              l.your_ip.text().c_str(), l.server_id.text().c_str(), t.lease, t.t1, t.t2);
                f->next_tick = now;
                f->next_check = now;
            }
            if (d)
                closedir(d);
        }
        for (auto &f : ifaces_)
            run_iface(*f, now, dirfd);
        close(dirfd);
    } catch (const std::exception &e) {
        log::error("supervisor: DHCP renewal: %s", e.what());
    }
}

} // namespace isr::supervise
