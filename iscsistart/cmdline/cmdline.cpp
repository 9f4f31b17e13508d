#include "cmdline.hpp"

#include "../login/negotiate.hpp"
#include "util/errors.hpp"
#include "util/mac.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <sys/socket.h>

namespace isr::cmdline {
namespace {

[[noreturn]] void bad(std::string_view what, const std::string &why)
{
    throw Error(ISCSI_ERR_INVAL, "cmdline: " + std::string(what) + ": " + why);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Split on ':' but keep "[...]" (IPv6) together, brackets removed.
std::vector<std::string> fields(std::string_view v, std::string_view what)
{
    std::vector<std::string> out;
    std::string cur;
    bool in_brackets = false, bracketed = false;
    for (char c : v) {
        if (c == '[' && cur.empty() && !in_brackets) {
            in_brackets = bracketed = true;
        } else if (c == ']' && in_brackets) {
            in_brackets = false;
        } else if (c == ':' && !in_brackets) {
            out.push_back(cur);
            cur.clear();
            bracketed = false;
        } else {
            if (bracketed && !in_brackets)
                bad(what, "junk after ']'");
            cur += c;
        }
    }
    if (in_brackets)
        bad(what, "missing ']'");
    out.push_back(cur);
    return out;
}

net::IpAddress address(std::string_view what, const std::string &s)
{
    if (s.empty())
        return {};
    auto a = net::IpAddress::parse(s);
    if (!a)
        bad(what, "'" + s + "' is not an IP address");
    return *a;
}

uint32_t number(std::string_view what, std::string_view s, uint32_t lo, uint32_t hi)
{
    auto n = negotiate::parse_number(s);
    if (!n || *n < lo || *n > hi)
        bad(what, "'" + std::string(s.substr(0, 40)) + "' is not a number from " + std::to_string(lo) + " to " +
                      std::to_string(hi));
    return *n;
}

// Netmask as a prefix length ("24") or a dotted mask ("255.255.255.0").
uint8_t prefix(std::string_view what, const std::string &s)
{
    if (s.empty())
        return 0;
    if (s.find('.') == std::string::npos)
        return (uint8_t)number(what, s, 0, 128);
    in_addr m{};
    if (inet_pton(AF_INET, s.c_str(), &m) != 1)
        bad(what, "'" + s + "' is not a netmask");
    uint32_t v = ntohl(m.s_addr);
    uint8_t n = 0;
    while (n < 32 && (v & (0x80000000u >> n)))
        ++n;
    if (n < 32 && (v << n) != 0)
        bad(what, "netmask '" + s + "' is not contiguous");
    return n;
}

// RFC 4173 LUN: hex digits, optionally in dash-separated groups of up to
// four; empty means LUN 0.
uint64_t lun(std::string_view what, const std::string &s)
{
    uint64_t v = 0;
    int digits = 0;
    for (char c : s) {
        if (c == '-')
            continue;
        if (!std::isxdigit((unsigned char)c) || ++digits > 16)
            bad(what, "LUN '" + s + "' is not up to 16 hex digits");
        v = v << 4 | (uint64_t)(std::isdigit((unsigned char)c) ? c - '0' : (std::tolower(c) - 'a' + 10));
    }
    return v;
}

bool is_iscsi_name(std::string_view s)
{
    return starts_with(s, "iqn.") || starts_with(s, "eui.") || starts_with(s, "naa.");
}

bool yes(std::string_view v) { return v.empty() || v == "1" || v == "yes" || v == "true" || v == "on"; }

} // namespace

std::vector<std::string> split(std::string_view c)
{
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false, have = false;
    for (char ch : c) {
        if (ch == '"') {
            quoted = !quoted;
            have = true;
        } else if (!quoted && std::isspace((unsigned char)ch)) {
            if (have)
                out.push_back(cur);
            cur.clear();
            have = false;
        } else {
            cur += ch;
            have = true;
        }
    }
    if (have)
        out.push_back(cur);
    return out;
}

Target parse_iscsi_uri(std::string_view uri, const char *what)
{
    if (!starts_with(uri, "iscsi:"))
        bad(what, "'" + std::string(uri.substr(0, std::min<std::size_t>(uri.find(':'), 16))) +
                      ":...' does not start with iscsi:");
    std::string_view v = uri.substr(6);
    Target t;
    // Credentials: everything before the last '@' that comes before the
    // server field (target names never contain '@').
    if (auto at = v.rfind('@'); at != std::string_view::npos) {
        auto creds = fields(v.substr(0, at), what);
        if (creds.size() != 2 && creds.size() != 4)
            bad(what, "credentials must be user:password or user:password:in_user:in_password");
        t.username = creds[0];
        t.password = Secret(creds[1]);
        if (creds.size() == 4) {
            t.username_in = creds[2];
            t.password_in = Secret(creds[3]);
        }
        v = v.substr(at + 1);
    }
    auto f = fields(v, what);
    // server:proto:port:lun:name... or server:proto:port:iface:netdev:lun:name...
    std::size_t name_at = 4;
    if (f.size() >= 7 && is_iscsi_name(f[6]) && !is_iscsi_name(f[4]))
        name_at = 6;
    if (f.size() <= name_at)
        bad(what, "expected iscsi:[server]:[proto]:[port]:[LUN]:targetname");
    t.server = f[0];
    if (!f[1].empty() && f[1] != "6")
        // not quoted: when a "user:password@" prefix lost its '@', this
        // field is the password
        bad(what, "the protocol field is not empty or 6 (TCP); credentials need an '@' before the server");
    if (!f[2].empty())
        t.port = (uint16_t)number(what, f[2], 1, 65535);
    if (name_at == 6) {
        t.iface = f[3];
        t.netdev = f[4];
    }
    t.lun = lun(what, f[name_at - 1]);
    for (std::size_t i = name_at; i < f.size(); ++i)
        t.target_name += (i > name_at ? ":" : "") + f[i];
    if (t.target_name.empty())
        bad(what, "no target name");
    return t;
}

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

BootConfig parse(std::string_view line)
{
    BootConfig b;
    Target debian;
    bool have_debian = false;
    for (const std::string &w : split(line)) {
        auto eq = w.find('=');
        std::string key = w.substr(0, eq), val = eq == std::string::npos ? "" : w.substr(eq + 1);
        bool has_val = eq != std::string::npos;

        if (key == "netroot" || key == "root") {
            if (val == "dhcp") {
                b.root_path_from_dhcp = true;
            } else if (val == "dhcp6") {
                bad(key, "the root path from DHCPv6 is not supported; use netroot=dhcp with ip=dhcp");
            } else if (starts_with(val, "iscsi:")) {
                b.targets.push_back(parse_iscsi_uri(val, key.c_str()));
            }
            // other root= values (/dev/sda1, UUID=...) are not ours
        } else if (key == "rd.iscsi.initiator") {
            b.initiator = val;
        } else if (key == "rd.iscsi.firmware" || key == "rd.iscsi.ibft") {
            b.use_ibft = !has_val || yes(val);
        } else if (key == "rd.iscsi.username") {
            b.username = val;
        } else if (key == "rd.iscsi.password") {
            b.password = Secret(val);
        } else if (key == "rd.iscsi.in.username") {
            b.username_in = val;
        } else if (key == "rd.iscsi.in.password") {
            b.password_in = Secret(val);
        } else if (key == "rd.iscsi.param") {
            auto e = val.find('=');
            if (e == std::string::npos || e == 0)
                bad("rd.iscsi.param", "expected NAME=VALUE");
            b.params.emplace_back(val.substr(0, e), val.substr(e + 1));
        } else if (key == "rd.iscsi.login_retry_max") {
            b.login_retry_max = (int)number(key, val, 0, 1000000);
        } else if (key == "rd.iscsiroot.supervise") {
            b.supervise = !has_val || yes(val) ? 1 : 0;
        } else if (key == "rd.iscsi.waitnet") {
            b.waitnet = yes(val);
        } else if (key == "rd.net.timeout.carrier") {
            b.carrier_timeout_s = (int)number(key, val, 1, 3600);
        } else if (key == "rd.net.timeout.dhcp") {
            b.dhcp_timeout_s = (int)number(key, val, 1, 3600);
        } else if (key == "ip") {
            IpConfig c = parse_ip(val);
            if (c.method == IpConfig::IBFT)
                b.use_ibft = true;
            b.ips.push_back(std::move(c));
        } else if (key == "ifname") {
            auto c = val.find(':');
            std::optional<std::array<uint8_t, 6>> mac;
            if (c == std::string::npos || c == 0 || !(mac = isr::parse_mac(val.substr(c + 1))))
                bad("ifname", "expected NAME:MAC");
            b.ifnames.emplace_back(val.substr(0, c), *mac);
        } else if (key == "vlan") {
            auto c = val.find(':');
            if (c == std::string::npos || c == 0 || c + 1 == val.size())
                bad("vlan", "expected VLANNAME:PHYSDEV");
            Vlan v{val.substr(0, c), val.substr(c + 1), 0};
            // dracut's names: vlan0005, vlan5, eth0.0005, eth0.5
            std::string digits;
            for (auto it = v.name.rbegin(); it != v.name.rend() && std::isdigit((unsigned char)*it); ++it)
                digits.insert(digits.begin(), *it);
            if (digits.empty())
                bad("vlan", "cannot tell the VLAN id from the name '" + v.name + "'");
            v.id = (uint16_t)number("vlan", digits.substr(digits.size() > 4 ? digits.size() - 4 : 0), 1, 4094);
            b.vlans.push_back(v);
        } else if (key == "BOOTIF") {
            // pxelinux: 01-aa-bb-cc-dd-ee-ff (hardware type 1 = Ethernet)
            std::string m = starts_with(val, "01-") ? val.substr(3) : val;
            if (!(b.bootif = isr::parse_mac(m)))
                bad("BOOTIF", "'" + val + "' is not a MAC address");
        } else if (key == "rd.route") {
            auto f = fields(val, "rd.route");
            if (f.size() < 2)
                bad("rd.route", "expected NET/PREFIX:GATEWAY[:IFACE]");
            Route r;
            auto slash = f[0].find('/');
            if (slash == std::string::npos)
                bad("rd.route", "'" + f[0] + "' lacks /PREFIX");
            r.dest = address("rd.route", f[0].substr(0, slash));
            r.prefix_len = (uint8_t)number("rd.route", f[0].substr(slash + 1), 0, 128);
            r.gateway = address("rd.route", f[1]);
            if (f.size() > 2)
                r.ifname = f[2];
            b.routes.push_back(r);
        } else if (key == "nameserver") {
            if (val.empty())
                bad("nameserver", "empty value");
            b.nameservers.push_back(address("nameserver", val));
        } else if (key == "iscsi_initiator") {
            b.initiator = val;
        } else if (key == "iscsi_target_name") {
            debian.target_name = val;
            have_debian = true;
        } else if (key == "iscsi_target_ip") {
            debian.server = val;
            have_debian = true;
        } else if (key == "iscsi_target_port") {
            debian.port = (uint16_t)number(key, val, 1, 65535);
        } else if (key == "iscsi_target_group") {
            debian.tpgt = (int)number(key, val, 0, 65535);
        } else if (key == "iscsi_username") {
            debian.username = val;
        } else if (key == "iscsi_password") {
            debian.password = Secret(val);
        } else if (key == "iscsi_in_username") {
            debian.username_in = val;
        } else if (key == "iscsi_in_password") {
            debian.password_in = Secret(val);
        } else if (key == "iscsi_auto") {
            b.use_ibft = true;
        } else if (starts_with(key, "rd.iscsi.") || starts_with(key, "iscsi_")) {
            b.unknown.push_back(key); // a typo must not pass in silence (the caller warns)
        }
    }
    if (have_debian) {
        if (debian.target_name.empty() || debian.server.empty())
            bad("iscsi_target_name", "Debian's form needs both iscsi_target_name and iscsi_target_ip");
        b.targets.push_back(std::move(debian));
    }
    return b;
}

} // namespace isr::cmdline
