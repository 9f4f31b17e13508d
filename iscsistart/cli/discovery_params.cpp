// -P discovery.sendtargets.* (and the same lines of a -c file): the
// credentials and timeouts of --discover, with open-iscsi's discovery
// record names. Apart from options.cpp, which hands these names here.
#include "options.hpp"

#include "values.hpp"

namespace isr::cli {

using namespace detail;

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
        auth.username = bounded(name, v, MAX_SECRET);
    } else if (key == "auth.password") {
        auth.password = secret_value(name, v);
    } else if (key == "auth.username_in") {
        auth.username_in = bounded(name, v, MAX_SECRET);
    } else if (key == "auth.password_in") {
        auth.password_in = secret_value(name, v);
    } else if (key == "timeo.login_timeout") {
        d.login_timeout_s = (int)number(name, v, 1, 3600);
    } else if (key == "timeo.active_timeout") {
        d.reply_timeout_s = (int)number(name, v, 1, 3600);
    } else if (key == "reopen_max") {
        d.reopen_max = (int)number(name, v, 0, 1000);
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
