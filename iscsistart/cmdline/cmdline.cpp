// The kernel command line's dispatch: words, then each parameter we own
// to its parser (netroot_uri.cpp, ip_param.cpp) or its field.
#include "cmdline.hpp"
#include "fields.hpp"

#include "util/mac.hpp"

#include <cctype>

namespace isr::cmdline {
namespace {

using namespace detail;

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
        } else if (key == "rd.iscsiroot.keep-network") {
            b.keep_network = !has_val || yes(val);
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
