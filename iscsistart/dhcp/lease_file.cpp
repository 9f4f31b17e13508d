#include "lease_file.hpp"

#include "util/secret.hpp"

#include "util/errors.hpp"

#include <sys/socket.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::dhcp {

namespace {

[[noreturn]] void fail(const std::string &what, const std::string &path)
{
    throw Error(ISCSI_ERR, "dhcp: cannot " + what + " " + path + ": " + strerror(errno));
}

void make_dirs(const std::string &dir)
{
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/')
            continue;
        std::string d = dir.substr(0, pos);
        if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            fail("create directory", d);
    }
    struct stat st;
    if (stat(dir.c_str(), &st) != 0)
        fail("create directory", dir);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        fail("create directory", dir);
    }
}

} // namespace

std::string shell_quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string lease_text(const Lease &l, const std::string &ifname)
{
    std::string dns, out;
    for (const auto &a : l.dns)
        dns += (dns.empty() ? "" : " ") + a.text();
    auto line = [&out](const char *key, const std::string &v) { out += std::string(key) + "=" + shell_quote(v) + "\n"; };
    line("IP", l.your_ip.text());
    line("PREFIX", l.prefix_len ? std::to_string(l.prefix_len) : "");
    line("NETMASK", l.prefix_len && l.your_ip.family == AF_INET ? prefix_mask(l.prefix_len).text() : "");
    line("GATEWAY", l.routers.empty() ? "" : l.routers[0].text());
    line("DNS", dns);
    line("HOSTNAME", l.hostname);
    line("DOMAIN", l.domain);
    line("ROOTPATH", mask_uri_credentials(l.root_path));
    line("MTU", l.mtu ? std::to_string(l.mtu) : "");
    line("BROADCAST", l.broadcast.text());
    line("INITIATOR", l.initiator_name);
    line("SERVER", l.server_id.text());
    line("LEASETIME", l.lease_time ? std::to_string(l.lease_time) : "");
    line("INTERFACE", ifname);
    return out;
}

Lease static_lease(const IpAddress &address, uint8_t prefix_len, const IpAddress &gateway,
                   const std::vector<IpAddress> &dns, const std::string &hostname)
{
    Lease l;
    l.your_ip = address;
    l.prefix_len = prefix_len;
    if (gateway.set())
        l.routers.push_back(gateway);
    l.dns = dns;
    l.hostname = hostname;
    return l;
}

void write_lease(const Lease &l, const std::string &ifname, const std::string &dir)
{
    if (ifname.empty() || ifname == "." || ifname == ".." || ifname.find('/') != std::string::npos ||
        ifname.find('\0') != std::string::npos)
        throw Error(ISCSI_ERR_INVAL, "dhcp: bad interface name for a lease file: \"" + ifname + "\"");
    if (dir.empty())
        throw Error(ISCSI_ERR_INVAL, "dhcp: empty lease directory");
    make_dirs(dir);
    const std::string path = dir + "/" + ifname + ".lease";
    std::string tmp = dir + "/." + ifname + ".lease.XXXXXX";
    int fd = mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0)
        fail("create a temporary file for", path);
    const std::string text = lease_text(l, ifname);
    std::size_t done = 0;
    bool ok = fchmod(fd, 0644) == 0;
    while (ok && done < text.size()) {
        ssize_t w = write(fd, text.data() + done, text.size() - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            done += (std::size_t)w;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp.c_str());
        errno = saved;
        fail("write", path);
    }
}

} // namespace isr::dhcp
