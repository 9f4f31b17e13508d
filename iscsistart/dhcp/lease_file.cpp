#include "lease_file.hpp"

#include "util/secret.hpp"

#include "util/errors.hpp"
#include "util/file_write.hpp"

#include <sys/socket.h>
#include "util/text.hpp"
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::dhcp {

namespace {

void check_ifname(const std::string &ifname)
{
    if (ifname.empty() || ifname == "." || ifname == ".." || ifname.find('/') != std::string::npos ||
        ifname.find('\0') != std::string::npos)
        throw Error(ISCSI_ERR_INVAL, "dhcp: bad interface name for a lease file: \"" + ifname + "\"");
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
    line("METHOD", l.by_dhcp ? "dhcp" : "static");
    line("RENEWTIME", l.renew_time ? std::to_string(l.renew_time) : "");
    line("REBINDTIME", l.rebind_time ? std::to_string(l.rebind_time) : "");
    static const char hex[] = "0123456789abcdef";
    std::string cid;
    for (uint8_t b : l.client_id)
        cid += {hex[b >> 4], hex[b & 15]};
    line("CLIENTID", cid);
    line("BOUNDAT", l.bound_at_s >= 0 ? std::to_string(l.bound_at_s) : "");
    return out;
}

namespace {

// One shell word as shell_quote() writes it: '...' runs joined by \'.
bool unquote(const std::string &v, std::string &out)
{
    out.clear();
    for (std::size_t i = 0; i < v.size();) {
        if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == '\'') {
            out += '\'';
            i += 2;
        } else if (v[i] == '\'') {
            auto e = v.find('\'', i + 1);
            if (e == std::string::npos)
                return false;
            out += v.substr(i + 1, e - i - 1);
            i = e + 1;
        } else {
            return false;
        }
    }
    return true;
}

[[noreturn]] void bad_key(const std::string &key, const std::string &v)
{
    throw Error(ISCSI_ERR_INVAL, "lease file: " + key + "='" + text::printable(v) + "' is not valid");
}

IpAddress address_of(const std::string &key, const std::string &v)
{
    if (v.empty())
        return {};
    auto a = IpAddress::parse(v);
    if (!a)
        bad_key(key, v);
    return *a;
}

unsigned long long number_of(const std::string &key, const std::string &v, unsigned long long max)
{
    if (v.empty())
        return 0;
    if (v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos)
        bad_key(key, v);
    unsigned long long n = strtoull(v.c_str(), nullptr, 10);
    if (n > max)
        bad_key(key, v);
    return n;
}

} // namespace

Lease parse_lease_text(const std::string &text, std::string &ifname)
{
    Lease l;
    l.type = DHCPACK;
    ifname.clear();
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        const std::string key = line.substr(0, eq);
        std::string v;
        if (!unquote(line.substr(eq + 1), v))
            bad_key(key, line.substr(eq + 1));
        if (key == "IP")
            l.your_ip = address_of(key, v);
        else if (key == "PREFIX")
            l.prefix_len = (uint8_t)number_of(key, v, 128);
        else if (key == "GATEWAY") {
            if (!v.empty())
                l.routers = {address_of(key, v)};
        } else if (key == "DNS") {
            std::size_t i = 0;
            while (i < v.size()) {
                auto sp = v.find(' ', i);
                std::string w = v.substr(i, sp == std::string::npos ? std::string::npos : sp - i);
                if (!w.empty())
                    l.dns.push_back(address_of(key, w));
                i = sp == std::string::npos ? v.size() : sp + 1;
            }
        } else if (key == "HOSTNAME")
            l.hostname = v;
        else if (key == "DOMAIN")
            l.domain = v;
        else if (key == "ROOTPATH")
            l.root_path = v;
        else if (key == "MTU")
            l.mtu = (uint16_t)number_of(key, v, 65535);
        else if (key == "BROADCAST")
            l.broadcast = address_of(key, v);
        else if (key == "INITIATOR")
            l.initiator_name = v;
        else if (key == "SERVER")
            l.server_id = address_of(key, v);
        else if (key == "LEASETIME")
            l.lease_time = (uint32_t)number_of(key, v, 0xffffffffu);
        else if (key == "RENEWTIME")
            l.renew_time = (uint32_t)number_of(key, v, 0xffffffffu);
        else if (key == "REBINDTIME")
            l.rebind_time = (uint32_t)number_of(key, v, 0xffffffffu);
        else if (key == "INTERFACE")
            ifname = v;
        else if (key == "METHOD") {
            if (v != "dhcp" && v != "static")
                bad_key(key, v);
            l.by_dhcp = v == "dhcp";
        } else if (key == "CLIENTID") {
            if (v.size() % 2 || v.size() > 510 || v.find_first_not_of("0123456789abcdef") != std::string::npos)
                bad_key(key, v);
            l.client_id.clear();
            for (std::size_t i = 0; i < v.size(); i += 2)
                l.client_id.push_back((uint8_t)strtoul(v.substr(i, 2).c_str(), nullptr, 16));
        } else if (key == "BOUNDAT")
            l.bound_at_s = v.empty() ? -1 : (long)number_of(key, v, 1ULL << 40);
    }
    return l;
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
    check_ifname(ifname);
    if (dir.empty())
        throw Error(ISCSI_ERR_INVAL, "dhcp: empty lease directory");
    files::write_atomic(dir, ifname + ".lease", lease_text(l, ifname), "dhcp");
}

void write_lease_at(const Lease &l, const std::string &ifname, int dirfd, const std::string &dir)
{
    check_ifname(ifname);
    files::write_atomic_at(dirfd, dir, ifname + ".lease", lease_text(l, ifname), "dhcp");
}

} // namespace isr::dhcp
