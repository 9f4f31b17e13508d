#include "firmware.hpp"
#include "paths/runner.hpp"

#include "../ibft/records.hpp"
#include "../ibft/source.hpp"
#include "boot_session.hpp"
#include "dhcp/lease_file.hpp"
#include "handover/keep_network.hpp"
#include "ibft_nic.hpp"
#include "kernel/modules.hpp"
#include "net/netconfig.hpp"
#include "session_exists.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/secret.hpp"

#include <fstream>
#include <cerrno>
#include <cstdio>
#include <unistd.h>

namespace isr {
namespace {

ibft::Table load_table(const cli::Options &o)
{
    std::string where = o.ibft_path;
    ibft::Table t = where.empty() ? ibft::load(where, [](const std::string &m) { kernel::load_module(m); })
                                  : ibft::load_from(where);
    log::info("iBFT read from %s: %zu NIC(s), %zu target(s)", where.c_str(), t.nics.size(), t.targets.size());
    return t;
}

// The login settings for one iBFT target, on top of the command line's
// (-P values, timeouts, debug level).
cli::Options target_options(const cli::Options &base, const ibft::Table &t, const ibft::Target &g)
{
    cli::Options o = base;
    o.action = cli::Action::LOGIN;
    if (o.login.initiator_name.empty())
        o.login.initiator_name = t.initiator.name;
    o.login.target_name = g.name;
    o.login.tpgt = -1;
    o.portal.host = g.ip.text();
    o.portal.port = g.port ? g.port : 3260;
    auto &a = o.login.auth;
    a = AuthConfig{{}, {}, {}, {}, base.login.auth.chap_algs};
    if (g.chap_type >= ibft::CHAP_ONE_WAY || !g.chap_name.empty()) {
        a.username = g.chap_name;
        a.password = g.chap_secret;
    }
    if (g.chap_type == ibft::CHAP_MUTUAL || !g.rev_chap_secret.empty()) {
        a.username_in = g.rev_chap_name;
        a.password_in = g.rev_chap_secret;
    }
    if (o.login.initiator_name.empty())
        throw Error(ISCSI_ERR_INVAL, "iBFT: no initiator name in the table (give one with -i)");
    cli::validate_iscsi_name(o.login.initiator_name, "iBFT initiator name");
    cli::validate_iscsi_name(o.login.target_name, "iBFT target name");
    if (!g.ip.set())
        throw Error(ISCSI_ERR_INVAL, "iBFT: target " + std::to_string(g.index) + " has no address");
    return o;
}

} // namespace

int fw_print(const cli::Options &o)
{
    ibft::Table t = load_table(o);
    // With --show-secrets the text holds CHAP secrets: it wipes itself,
    // and goes to the descriptor directly, so no stdio buffer keeps a copy.
    SensitiveString text(ibft::format_records(t, o.show_secrets, [](const std::array<uint8_t, 6> &mac) {
        return net::ifname_by_mac(mac);
    }));
    if (text.empty()) {
        log::error("iBFT: no valid target with a NIC in the table");
        return ISCSI_ERR_NO_OBJS_FOUND;
    }
    fflush(stdout);
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = write(STDOUT_FILENO, text.c_str() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // as fputs before: a closed pipe is the reader's business
        done += (std::size_t)n;
    }
    // open-iscsi's iscsistart -f prints the secrets; say why ours does not
    // (on stderr: stdout stays the exact record text)
    if (!o.show_secrets && text.str().find(" = ********\n") != std::string::npos)
        log::info("iBFT: CHAP secrets shown as ********; --show-secrets prints them");
    return ISCSI_SUCCESS;
}

int fw_network(const cli::Options &o)
{
    ibft::Table t = load_table(o);
    auto nics = boot_nic_configs(t);
    if (nics.empty()) {
        log::error("iBFT: no valid NIC in the table");
        return ISCSI_ERR_NO_OBJS_FOUND;
    }
    std::vector<net::IpAddress> dns;
    bool keep = true;
    {
        std::ifstream f("/proc/cmdline");
        std::string line;
        if (std::getline(f, line))
            keep = handover::keep_network_wanted(line);
    }
    for (const auto &n : nics) {
        std::string ifname = net::configure_nic(n, 10000);
        dns.insert(dns.end(), n.dns.begin(), n.dns.end());
        // the same record a command-line boot leaves, for the hooks and
        // the real root (an initramfs-tools boot turns it into /run/net-IF.conf)
        try {
            if (n.address.set())
                dhcp::write_lease(dhcp::static_lease(n.address, n.prefix_len, n.gateway, n.dns, n.hostname), ifname);
            // the iBFT's address is applied statically, even when the
            // firmware got it by DHCP: the root keeps it the same way
            if (keep && n.address.set()) {
                handover::BootInterface bi;
                bi.ifname = ifname;
                bi.mac = n.mac;
                bi.address = n.address;
                bi.prefix_len = n.prefix_len;
                bi.gateway = n.gateway;
                bi.dns = n.dns;
                handover::write_keep_network(bi);
            }
        } catch (const Error &e) {
            log::info("warning: %s", e.what());
        }
    }
    net::write_resolv_conf(dns);
    return ISCSI_SUCCESS;
}

void fw_connect(const cli::Options &o, LoginTally &tally)
{
    ibft::Table t = load_table(o);
    auto targets = ibft::boot_targets(t);
    if (targets.empty()) {
        log::error("iBFT: no boot target in the table");
        tally.failed(ISCSI_ERR_NO_OBJS_FOUND);
        return;
    }
    // The NIC's driver, so the login has an interface to go out on.
    for (const auto &n : boot_nic_configs(t))
        net::ensure_nic_driver(n, 10000);

    std::vector<paths::Path> all;
    for (const ibft::Target *g : targets) {
        const std::string label = "iBFT target " + std::to_string(g->index);
        try {
            cli::Options to = target_options(o, t, *g);
            log::info("%s: %s at %s:%u", label.c_str(), to.login.target_name.c_str(), to.portal.host.c_str(),
                      to.portal.port);
            SessionConfig c = cli::session_config(to);
            all.push_back({label, portal_text(c.portal.host, c.portal.port), std::move(c)});
        } catch (const Error &e) {
            tally_error(tally, e);
            log::error("%s: %s", label.c_str(), e.what());
        }
    }
    paths::run_paths(std::move(all), tally);
}

int fw_connect(const cli::Options &o)
{
    LoginTally tally;
    fw_connect(o, tally);
    return tally_status(tally);
}

} // namespace isr
