#include "sessions.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

namespace isr::kernel {
namespace {

// The first line of a sysfs attribute, without its newline; empty when the
// file is missing or unreadable, or holds the kernel's "(null)" (a
// parameter not set yet).
std::string attr(const std::string &path)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    char buf[512];
    ssize_t n;
    do
        n = read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0)
        return {};
    std::string s(buf, (std::size_t)n);
    if (auto nl = s.find('\n'); nl != std::string::npos)
        s.resize(nl);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
        s.pop_back();
    if (s == "(null)" || s == "<NULL>")
        return {};
    return s;
}

// A decimal number in 0..max; -1 for anything else (empty, junk, overflow).
int number(const std::string &s, long max)
{
    if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    long v = strtol(s.c_str(), nullptr, 10);
    return v <= max ? (int)v : -1;
}

SessionState parse_state(const std::string &s)
{
    if (s == "LOGGED_IN")
        return SessionState::LOGGED_IN;
    if (s == "FAILED")
        return SessionState::FAILED;
    if (s == "FREE")
        return SessionState::FREE;
    return SessionState::UNKNOWN;
}

// H of the last "/hostH/" directory in `path`; -1 when there is none.
int host_in_path(const std::string &path)
{
    int found = -1;
    std::size_t at = 0;
    while ((at = path.find("/host", at)) != std::string::npos) {
        at += 5;
        std::size_t end = path.find('/', at);
        int h = number(path.substr(at, end == std::string::npos ? std::string::npos : end - at), INT_MAX);
        if (h >= 0)
            found = h;
    }
    return found;
}

// The SCSI host a session belongs to: its device directory sits under
// .../hostH/sessionN (scsi_transport_iscsi's iscsi_add_session).
int host_of(const std::string &session_dir)
{
    for (const char *rel : {"/device", ""}) {
        char real[PATH_MAX];
        if (realpath((session_dir + rel).c_str(), real)) {
            int h = host_in_path(real);
            if (h >= 0)
                return h;
        }
    }
    return -1;
}

std::string_view unbracket(std::string_view a)
{
    if (a.size() >= 2 && a.front() == '[' && a.back() == ']')
        return a.substr(1, a.size() - 2);
    return a;
}

// `a` as 16 bytes of IPv6 (IPv4 as ::ffff:a.b.c.d); false when it is not
// an IP address text.
bool as_ipv6(std::string_view text, in6_addr &out)
{
    std::string a(unbracket(text));
    in_addr v4{};
    if (inet_pton(AF_INET, a.c_str(), &v4) == 1) {
        out = in6_addr{};
        out.s6_addr[10] = out.s6_addr[11] = 0xff;
        memcpy(&out.s6_addr[12], &v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, a.c_str(), &out) == 1;
}

} // namespace

const char *state_name(SessionState s)
{
    switch (s) {
    case SessionState::LOGGED_IN:
        return "LOGGED_IN";
    case SessionState::FAILED:
        return "FAILED";
    case SessionState::FREE:
        return "FREE";
    default:
        return "UNKNOWN";
    }
}

std::vector<KernelSession> read_sessions(const std::string &sysfs_root)
{
    std::vector<KernelSession> out;
    const std::string dir = sysfs_root + "/class/iscsi_session";
    DIR *d = opendir(dir.c_str());
    if (!d)
        return out;
    while (const dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name.rfind("session", 0) != 0)
            continue;
        int sid = number(name.substr(7), INT_MAX);
        if (sid < 0)
            continue;
        const std::string s = dir + "/" + name;
        KernelSession k;
        k.sid = (uint32_t)sid;
        k.host_no = host_of(s);
        k.target_name = attr(s + "/targetname");
        k.tpgt = number(attr(s + "/tpgt"), 65535);
        k.state = parse_state(attr(s + "/state"));
        const std::string c = sysfs_root + "/class/iscsi_connection/connection" + std::to_string(sid) + ":0";
        k.persistent_address = attr(c + "/persistent_address");
        k.persistent_port = number(attr(c + "/persistent_port"), 65535);
        out.push_back(std::move(k));
    }
    closedir(d);
    std::sort(out.begin(), out.end(), [](const KernelSession &a, const KernelSession &b) { return a.sid < b.sid; });
    return out;
}

bool same_address(std::string_view a, std::string_view b)
{
    if (a.empty() || b.empty())
        return false;
    in6_addr x{}, y{};
    const bool ip_a = as_ipv6(a, x), ip_b = as_ipv6(b, y);
    if (ip_a || ip_b)
        return ip_a && ip_b && memcmp(&x, &y, sizeof x) == 0;
    a = unbracket(a);
    b = unbracket(b);
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char p, char q) {
               auto low = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return low(p) == low(q);
           });
}

bool session_matches(const KernelSession &s, const SessionKey &k)
{
    if (s.target_name.empty() || s.target_name != k.target_name)
        return false;
    if (s.persistent_port != (int)k.port || !same_address(s.persistent_address, k.address))
        return false;
    return s.tpgt < 0 || k.tpgt < 0 || s.tpgt == k.tpgt;
}

const KernelSession *find_session(const std::vector<KernelSession> &all, const SessionKey &k)
{
    for (const auto &s : all)
        if (session_matches(s, k))
            return &s;
    return nullptr;
}

} // namespace isr::kernel
