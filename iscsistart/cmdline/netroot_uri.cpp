// netroot=/root=iscsi:... (dracut) and RFC 4173 root paths.
#include "cmdline.hpp"
#include "fields.hpp"
#include "util/scsi_lun.hpp"

#include <algorithm>
#include <cctype>

namespace isr::cmdline {
namespace {

using namespace detail;

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

} // namespace

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
    t.lun_given = !f[name_at - 1].empty();
    for (std::size_t i = name_at; i < f.size(); ++i)
        t.target_name += (i > name_at ? ":" : "") + f[i];
    // no target name: the targets behind the portal are asked for
    // (SendTargets discovery; RFC 4173 allows leaving it out)
    return t;
}

uint64_t linux_lun(uint64_t v)
{
    if (v <= 0xffff)
        return v;
    std::array<uint8_t, 8> sam;
    for (int i = 0; i < 8; ++i)
        sam[i] = uint8_t(v >> (56 - 8 * i));
    return sam_lun_number(sam);
}

} // namespace isr::cmdline
