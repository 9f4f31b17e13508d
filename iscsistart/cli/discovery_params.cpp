// -P discovery.sendtargets.* (and the same lines of a -c file): the
// credentials and timeouts of --discover, with open-iscsi's discovery
// record names. Apart from options.cpp, which hands these names here.
#include "options.hpp"

#include "../login/negotiate.hpp"
#include "util/errors.hpp"

namespace isr::cli {
namespace {

constexpr std::size_t MAX_SECRET = 255; // bytes of a CHAP secret or user name

[[noreturn]] void inval(const std::string &msg) { throw Error(ISCSI_ERR_INVAL, msg); }

int number(std::string_view field, std::string_view v, long lo, long hi)
{
    auto n = negotiate::parse_number(v);
    if (!n || (long)*n < lo || (long)*n > hi)
        inval(std::string(field) + ": '" + std::string(v.substr(0, 40)) + "' is not a number from " +
              std::to_string(lo) + " to " + std::to_string(hi));
    return (int)*n;
}

// A user name (shown) or a secret (never shown): only the length is checked.
void check_length(std::string_view field, std::string_view v)
{
    if (v.size() > MAX_SECRET)
        inval(std::string(field) + ": too long (" + std::to_string(v.size()) + " bytes, at most " +
              std::to_string(MAX_SECRET) + ")");
}

} // namespace

void apply_discovery_param(Options &o, std::string_view name, std::string_view v)
{
    auto &d = o.discovery;
    auto &auth = d.auth;
    const std::string field(name);
    const std::string_view key = name.substr(std::string_view("discovery.sendtargets.").size());
    if (key == "auth.authmethod") {
        if (v == "None")
            auth = AuthConfig{};
        else if (v != "CHAP")
            inval(field + ": expected CHAP or None");
    } else if (key == "auth.username") {
        check_length(name, v);
        auth.username = std::string(v);
    } else if (key == "auth.password") {
        check_length(name, v);
        auth.password = Secret(v);
    } else if (key == "auth.username_in") {
        check_length(name, v);
        auth.username_in = std::string(v);
    } else if (key == "auth.password_in") {
        check_length(name, v);
        auth.password_in = Secret(v);
    } else if (key == "timeo.login_timeout") {
        d.login_timeout_s = number(name, v, 1, 3600);
    } else if (key == "timeo.active_timeout") {
        d.reply_timeout_s = number(name, v, 1, 3600);
    } else if (key == "reopen_max") {
        d.reopen_max = number(name, v, 0, 1000);
    } else if (key == "iscsi.MaxRecvDataSegmentLength") {
        d.max_recv_dlength = (uint32_t)number(name, v, 512, 16777215);
    } else {
        inval("--param " + field + ": unknown parameter name");
    }
}

discovery::DiscoveryConfig discovery_config(const Options &o)
{
    discovery::DiscoveryConfig d = o.discovery;
    d.initiator_name = o.login.initiator_name;
    d.initiator_alias = o.login.initiator_alias;
    d.portal = o.portal;
    d.auth.chap_algs = o.login.auth.chap_algs;
    return d;
}

} // namespace isr::cli
