// ip= in the kernel's nfsroot form and dracut's forms.
#include "cmdline.hpp"
#include "fields.hpp"

#include "util/mac.hpp"

#include <algorithm>
#include <sys/socket.h>

namespace isr::cmdline {

using namespace detail;

IpConfig parse_ip(std::string_view value)
{
    const char *what = "ip";
    IpConfig c;
    auto method = [&](const std::string &m) {
        if (m == "dhcp" || m == "on" || m == "any" || m == "single-dhcp" || m == "both" || m == "bootp" ||
            m == "rarp")
            c.method = IpConfig::DHCP;
        else if (m == "dhcp6")
            c.method = IpConfig::DHCP6;
        else if (m == "auto6" || m == "either6" || m == "link6")
            c.method = IpConfig::AUTO6;
        else if (m == "ibft")
            c.method = IpConfig::IBFT;
        else if (m == "none" || m == "off" || m.empty())
            c.method = IpConfig::STATIC;
        else
            bad(what, "unknown method '" + m + "'");
    };
    auto f = fields(value, what);
    if (f.size() == 1) { // ip=dhcp, ip=ibft, ip=off ...
        if (f[0].empty())
            bad(what, "empty value");
        method(f[0]);
        if (c.method == IpConfig::STATIC)
            c.method = IpConfig::OFF;
        return c;
    }
    // A MAC address at f[from]: one field with dashes, or split by
    // fields() into six parts (rejoined); nullopt when it is not that.
    auto mac_at = [&](std::size_t from) -> std::optional<std::array<uint8_t, 6>> {
        if (f.size() == from + 1)
            return isr::parse_mac(f[from]);
        if (f.size() != from + 6)
            return std::nullopt;
        std::string m;
        for (std::size_t i = from; i < f.size(); ++i)
            m += (i > from ? ":" : "") + f[i];
        return isr::parse_mac(m);
    };
    if (!f[0].empty() && !net::IpAddress::parse(f[0]) && !f[1].empty()) {
        // ip=<if>:{dhcp|on|any|dhcp6|auto6|ibft|...}[:[mtu][:mac]]
        c.ifname = f[0];
        method(f[1]);
        if (c.method == IpConfig::STATIC)
            bad(what, "'" + f[0] + ":" + f[1] + "' gives no address; use <client>:[peer]:<gw>:<mask>:<host>:" +
                          f[0] + ":none");
        if (f.size() >= 3 && !f[2].empty())
            c.mtu = number(what, f[2], 68, 65535);
        if (f.size() == 4 && f[3].empty())
            return c;
        if (f.size() > 3 && !(c.mac = mac_at(3)))
            bad(what, "expected <if>:<method>[:mtu[:mac]] with a MAC as aa:bb:cc:dd:ee:ff");
        return c;
    }
    // ip=<client>:[peer]:<gw>:<mask>:<host>:<if>:<method>[:mtu[:mac]] or
    // [:dns1[:dns2]] (the kernel's nfsroot form ends <autoconf>:<dns0>:<dns1>:<ntp>).
    f.resize(std::max<std::size_t>(f.size(), 7));
    c.client = address(what, f[0]);
    c.peer = address(what, f[1]);
    c.gateway = address(what, f[2]);
    c.prefix_len = prefix(what, f[3]);
    c.hostname = f[4];
    c.ifname = f[5];
    method(f[6]);
    // the kernel autoconfigures when neither an address nor a method is given
    if (c.method == IpConfig::STATIC && !c.client.set() && f[6].empty())
        c.method = IpConfig::DHCP;
    if (c.method == IpConfig::STATIC && !c.client.set())
        bad(what, "static configuration without a client address");
    if (c.client.family == AF_INET && c.prefix_len > 32)
        bad(what, "prefix length " + std::to_string(c.prefix_len) + " is too long for an IPv4 address");
    if (c.method == IpConfig::STATIC && c.prefix_len == 0)
        c.prefix_len = c.client.family == AF_INET6 ? 64 : 24;
    if (f.size() > 7 && (c.mac = mac_at(8))) {
        if (!f[7].empty())
            c.mtu = number(what, f[7], 68, 65535);
        return c;
    }
    if (f.size() > 10)
        bad(what, "too many fields after the method");
    for (std::size_t i = 7; i < f.size() && i < 9; ++i) { // f[9]: the kernel's NTP server, not ours
        if (f[i].empty())
            continue;
        if (auto a = net::IpAddress::parse(f[i]))
            c.dns.push_back(*a);
        else if (i == 7)
            c.mtu = number(what, f[i], 68, 65535);
        else
            bad(what, "'" + f[i] + "' is neither a DNS server nor a MAC address");
    }
    return c;
}

} // namespace isr::cmdline
