#include "login_plan.hpp"

#include "util/errors.hpp"

#include <cstdio>

namespace isr::cmdline {

InitiatorChoice choose_initiator(const std::string &flag, const BootConfig &b, const std::string &dhcp,
                                 const std::string &file_name, const std::string &generated)
{
    InitiatorChoice c;
    if (!flag.empty())
        c = {flag, "-i"};
    else if (!b.initiator.empty())
        c = {b.initiator, "the kernel command line"};
    else if (!dhcp.empty())
        c = {dhcp, "DHCP option 203"};
    else if (!file_name.empty())
        c = {file_name, "/etc/iscsi/initiatorname.iscsi"};
    else
        c = {generated, "generated"};
    cli::validate_iscsi_name(c.name, (std::string("initiator name from ") + c.source).c_str());
    return c;
}

std::string generated_initiator_name(const uint8_t random[6])
{
    char hex[13];
    for (int i = 0; i < 6; ++i)
        snprintf(hex + 2 * i, 3, "%02x", random[i]);
    return std::string("iqn.2026-11.org.iscsiroot:") + hex;
}

AuthConfig target_auth(const cli::Options &base, const BootConfig &b, const Target &t, const std::string &where)
{
    // CHAP, each direction as a pair: flags, then the URI, then rd.iscsi.*.
    AuthConfig a = base.login.auth;
    const auto &flags = base.login.auth;
    if (flags.username.empty() && flags.password.empty()) {
        bool uri = !t.username.empty() || !t.password.empty();
        a.username = uri ? t.username : b.username;
        a.password = uri ? t.password : b.password;
    }
    if (flags.username_in.empty() && flags.password_in.empty()) {
        bool uri = !t.username_in.empty() || !t.password_in.empty();
        a.username_in = uri ? t.username_in : b.username_in;
        a.password_in = uri ? t.password_in : b.password_in;
    }
    cli::check_auth(a, where);
    return a;
}

cli::Options target_options(const cli::Options &base, const BootConfig &b, const Target &t,
                            const std::string &initiator)
{
    const std::string where = "target " + t.target_name.substr(0, 64) + ": ";
    cli::Options o = base;
    o.action = cli::Action::LOGIN;
    o.login.initiator_name = initiator;
    cli::validate_iscsi_name(t.target_name, (where + "targetname").c_str());
    o.login.target_name = t.target_name;
    o.login.tpgt = t.tpgt;
    o.portal.host = t.server;
    o.portal.port = t.port;
    if (t.lun_given)
        o.session.lun = (int64_t)linux_lun(t.lun);
    if (!t.netdev.empty())
        o.netdev = t.netdev;
    if (t.server.empty())
        throw Error(ISCSI_ERR_INVAL, where + "no server address");

    o.login.auth = target_auth(base, b, t, where);

    if (b.login_retry_max >= 0)
        o.session.initial_login_retry_max = b.login_retry_max;
    for (const auto &[name, value] : b.params) {
        try {
            cli::apply_param(o, name, value);
        } catch (const Error &e) {
            throw Error(ISCSI_ERR_INVAL, "cmdline: rd.iscsi.param: " + std::string(e.what()));
        }
    }
    for (const auto &[name, value] : base.param_flags)
        cli::apply_param(o, name, value);
    return o;
}

} // namespace isr::cmdline
