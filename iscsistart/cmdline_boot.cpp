#include "cmdline_boot.hpp"

#include "boot_session.hpp"
#include "cmdline/cmdline.hpp"
#include "cmdline/login_plan.hpp"
#include "cmdline/net_plan.hpp"
#include "cmdline/sources.hpp"
#include "crypto/crypto.hpp"
#include "dhcp/dhcp_client.hpp"
#include "discovery/discovery.hpp"
#include "dhcp/lease_file.hpp"
#include "firmware.hpp"
#include "kernel/nl_wake.hpp"
#include "handover/keep_network.hpp"
#include "paths/runner.hpp"
#include "session_exists.hpp"
#include "net/netconfig.hpp"
#include "net/rtnl.hpp"
#include "util/clock.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr {
namespace {

using cmdline::BootConfig;
using cmdline::InterfacePlan;
using cmdline::IpConfig;

const char *const RUN_DIR = "/run/iscsiroot";

const char *const CONF_FILE = "/etc/iscsiroot.conf";
const char *const DRACUT_CMDLINE_D = "/etc/cmdline.d";

// The whole of `path`; nullopt when it does not exist (and `optional`).
std::optional<std::string> read_text(const std::string &path, bool optional)
{
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && optional && errno == ENOENT)
        return std::nullopt;
    std::string text;
    int err = fd < 0 ? errno : 0;
    char buf[4096];
    while (fd >= 0 && !err) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            text.append(buf, size_t(n));
        else if (n == 0)
            break;
        else if (errno != EINTR)
            err = errno;
    }
    if (fd >= 0)
        close(fd);
    if (err)
        throw Error(ISCSI_ERR, "cannot read " + path + ": " + strerror(err));
    return text;
}

// /etc/iscsiroot.conf, dracut's /etc/cmdline.d/*.conf (in name order), then
// /proc/cmdline: the boot prompt's words come last and win. Names only are
// logged: the files may hold CHAP secrets.
std::string read_boot_cmdline()
{
    std::vector<std::string> sources;
    std::string from;
    auto add_file = [&](const std::string &path) {
        if (auto t = read_text(path, true)) {
            sources.push_back(cmdline::config_file_words(*t));
            from += path + ", ";
        }
    };
    add_file(CONF_FILE);
    std::vector<std::string> etc_d;
    if (DIR *d = opendir(DRACUT_CMDLINE_D)) {
        while (const dirent *e = readdir(d)) {
            const std::string n = e->d_name;
            if (n.size() > 5 && n[0] != '.' && n.ends_with(".conf"))
                etc_d.push_back(std::string(DRACUT_CMDLINE_D) + "/" + n);
        }
        closedir(d);
    }
    std::sort(etc_d.begin(), etc_d.end());
    for (const auto &f : etc_d)
        add_file(f);
    sources.push_back(*read_text("/proc/cmdline", false));
    if (!from.empty())
        log::info("kernel command line: words from %s/proc/cmdline", from.c_str());
    return cmdline::join_sources(sources);
}

// Carrier on `dev` within timeout_ms; without it only a warning (a login
// timeout follows and names the portal).
void wait_carrier(net::Rtnl &nl, const net::Link &dev, int timeout_ms)
{
    const long t0 = monotonic_ms();
    auto wake = kernel::NetlinkWake::links();
    while (!nl.carrier(dev.index)) {
        if (monotonic_ms() - t0 >= timeout_ms) {
            log::info("warning: %s: no carrier after %d ms (cable, switch port?); continuing", dev.name.c_str(),
                      timeout_ms);
            return;
        }
        wake.wait(20); // a link event (carrier) ends it early
    }
}

struct NetState {
    std::vector<std::pair<std::string, dhcp::Lease>> leases; // per configured interface
    std::vector<net::IpAddress> dns;
};

// The real root's network managers leave `dev` alone (handover/
// keep_network.hpp); a failure is only a warning: the boot goes on.
void keep_network(const net::Link &dev, bool dhcp, const dhcp::Lease &l)
{
    handover::BootInterface bi;
    bi.ifname = dev.name;
    bi.mac = dev.mac;
    bi.perm_mac = dev.perm_mac;
    bi.dhcp = dhcp;
    bi.address = l.your_ip;
    bi.prefix_len = l.prefix_len ? l.prefix_len : 24;
    if (!l.routers.empty())
        bi.gateway = l.routers[0];
    bi.dns = l.dns;
    try {
        handover::write_keep_network(bi);
        log::info("%s: /run/systemd/network/%s and /run/NetworkManager/conf.d/%s keep it for the root",
                  dev.name.c_str(), handover::networkd_file_name(dev.name).c_str(),
                  handover::nm_file_name(dev.name).c_str());
    } catch (const Error &e) {
        log::info("warning: %s", e.what());
    }
}

// Bring up one interface as planned; returns its name.
std::string bring_up(const InterfacePlan &p, const BootConfig &b, NetState &st)
{
    const int carrier_ms = b.carrier_timeout_s * 1000;
    net::Rtnl nl;
    net::Link nic = net::wait_for_link(nl, net::LinkWanted{p.nic_name, p.nic_mac}, carrier_ms);
    std::string rename = p.rename_to != nic.name ? p.rename_to : "";
    if (p.mtu || p.set_mac || !rename.empty()) {
        nl.set_link(nic, p.mtu, p.set_mac, rename);
        if (auto l = nl.link_by_index(nic.index))
            nic = *l;
    }
    net::Link dev = nic;
    if (p.vlan_id) {
        nl.set_up(nic);
        dev = nl.create_vlan(nic, p.vlan_id, p.vlan_name);
    }

    dhcp::Lease lease;
    if (p.method == IpConfig::STATIC) {
        net::configure_link(nl, dev, p.address, p.prefix_len, p.gateway);
        wait_carrier(nl, dev, carrier_ms);
        lease = dhcp::static_lease(p.address, p.prefix_len, p.gateway, p.dns, p.hostname);
    } else {
        net::configure_link(nl, dev, {}, 0, {});
        wait_carrier(nl, dev, carrier_ms);
        lease = dhcp::dhcp_acquire(dev.name, b.dhcp_timeout_s * 1000);
        if (!p.mtu && lease.mtu >= 68 && p.vlan_id == 0)
            nl.set_link(dev, lease.mtu, std::nullopt, "");
        net::configure_link(nl, dev, lease.your_ip, lease.prefix_len ? lease.prefix_len : 24,
                            lease.routers.empty() ? net::IpAddress{} : lease.routers[0]);
        if (!p.hostname.empty())
            lease.hostname = p.hostname;
        lease.dns.insert(lease.dns.end(), p.dns.begin(), p.dns.end());
    }
    for (const auto &r : p.routes) {
        nl.add_route(dev, r.dest, r.prefix_len, r.gateway);
        log::info("%s: route %s/%u via %s", dev.name.c_str(), r.dest.text().c_str(), (unsigned)r.prefix_len,
                  r.gateway.set() ? r.gateway.text().c_str() : "(link)");
    }
    if (!lease.hostname.empty()) {
        if (sethostname(lease.hostname.c_str(), lease.hostname.size()) == 0)
            log::info("hostname %s", lease.hostname.c_str());
        else
            log::info("warning: cannot set the hostname %s: %s", lease.hostname.c_str(), strerror(errno));
    }
    dhcp::write_lease(lease, dev.name, RUN_DIR);
    if (b.keep_network)
        keep_network(dev, p.method != IpConfig::STATIC, lease);
    st.dns.insert(st.dns.end(), lease.dns.begin(), lease.dns.end());
    st.leases.emplace_back(dev.name, lease);
    return dev.name;
}

void bring_up_all(const std::vector<InterfacePlan> &plans, const BootConfig &b, NetState &st)
{
    for (std::size_t i = 0; i < plans.size(); ++i) {
        try {
            bring_up(plans[i], b, st);
            if (!b.waitnet) // rd.iscsi.waitnet=0: log in after the first interface
                break;
        } catch (const Error &e) {
            // waitnet (the default) needs every interface; otherwise the
            // next one may still get us to a target
            if (b.waitnet || i + 1 == plans.size())
                throw;
            log::error("%s; trying the next ip= interface", e.what());
        }
    }
}

// The targets DHCP option 17 names (netroot=dhcp / root=dhcp).
std::vector<cmdline::Target> dhcp_targets(const NetState &st)
{
    std::vector<cmdline::Target> out;
    for (const auto &[ifname, l] : st.leases) {
        if (l.root_path.empty())
            continue;
        cmdline::Target t = cmdline::parse_iscsi_uri(l.root_path, "DHCP option 17 (root path)");
        if (t.server.empty()) // RFC 4173: no server named, the DHCP server is meant
            t.server = l.server_id.text();
        log::info("%s: root path from DHCP: %s at %s", ifname.c_str(), t.target_name.c_str(), t.server.c_str());
        out.push_back(std::move(t));
    }
    if (out.empty())
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "netroot=dhcp: the DHCP server sent no root path (option 17)");
    return out;
}

void write_initiatorname(const std::string &name)
{
    mkdir(RUN_DIR, 0755);
    const std::string path = std::string(RUN_DIR) + "/initiatorname.iscsi";
    std::ofstream f(path, std::ios::trunc);
    f << "InitiatorName=" << name << "\n";
    if (!f.flush())
        log::info("warning: cannot write %s", path.c_str());
}

std::string initiator_for(const cli::Options &o, const BootConfig &b, const NetState &st)
{
    std::string dhcp;
    for (const auto &[ifname, l] : st.leases)
        if (dhcp.empty())
            dhcp = l.initiator_name;
    auto rnd = crypto::unique_bytes(6); // a name: unique, not secret
    auto c = cmdline::choose_initiator(o.login.initiator_name, b, dhcp, cli::read_initiatorname(o.initiatorname_file),
                                       cmdline::generated_initiator_name(rnd.data()));
    log::info("initiator name %s (from %s)", c.name.c_str(), c.source);
    write_initiatorname(c.name);
    return c.name;
}

// Every target a root path without a target name leads to: SendTargets
// discovery at its portal (with the login's CHAP credentials unless -P
// discovery.sendtargets.auth.* gave others), each portal of each target
// found a target of its own, with the root path's LUN, netdev and
// credentials. Targets with a name pass through. A discovery that fails
// counts as that target's failure.
std::vector<cmdline::Target> discover_targets(const cli::Options &o, const BootConfig &b,
                                              const std::vector<cmdline::Target> &targets,
                                              const std::string &initiator, LoginTally &tally)
{
    std::vector<cmdline::Target> out;
    for (const auto &t : targets) {
        if (!t.target_name.empty()) {
            out.push_back(t);
            continue;
        }
        const std::string where = "discovery at " + portal_text(t.server, t.port);
        try {
            if (t.server.empty())
                throw Error(ISCSI_ERR_INVAL, "no server address");
            cli::Options lo = o;
            lo.login.initiator_name = initiator;
            lo.portal = {t.server, t.port};
            discovery::DiscoveryConfig d = cli::discovery_config(lo);
            // the root path's (or rd.iscsi.*) credentials: the kernel
            // command line has no discovery ones of its own
            if (!d.auth.chap()) {
                AuthConfig a = cmdline::target_auth(o, b, t, where + ": ");
                a.chap_algs = d.auth.chap_algs;
                d.auth = std::move(a);
            }

            log::info("%s: no target name in the root path; asking for the targets (SendTargets)", where.c_str());
            auto found = discovery::send_targets(d);
            if (found.empty())
                throw Error(ISCSI_ERR_NO_OBJS_FOUND, "the portal offers us no target");
            for (const auto &r : found) {
                log::info("%s: found %s", where.c_str(), discovery::format_record(r).c_str());
                cmdline::Target x = t;
                x.target_name = r.target_name;
                x.server = r.host;
                x.port = r.port;
                x.tpgt = r.tpgt;
                out.push_back(std::move(x));
            }
        } catch (const Error &e) {
            log::error("%s: %s", where.c_str(), e.what());
            tally.failed(e.code());
        }
    }
    return out;
}

} // namespace

int cmdline_boot(const cli::Options &opts)
{
    const std::string text = opts.cmdline_text ? *opts.cmdline_text : read_boot_cmdline();
    BootConfig b = cmdline::parse(text);
    cli::Options o = opts;
    if (b.supervise >= 0) // rd.iscsiroot.supervise= overrides the hooks' --supervise
        o.supervise = b.supervise == 1;
    if (!b.wants_iscsi()) {
        if (o.cmdline_auto) // run bare on a system not booting from iSCSI: open-iscsi's answer
            throw Error(ISCSI_ERR_INVAL, "targetname: not set (use -t)");
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "cmdline: no iSCSI root on the kernel command line (netroot=iscsi:, "
                                             "root=iscsi:, netroot=dhcp, rd.iscsi.firmware, iscsi_target_name=)");
    }
    for (const auto &k : b.unknown)
        log::info("warning: ignoring %s= on the kernel command line (not a parameter iscsistart knows)", k.c_str());
    log::info("kernel command line: %zu target(s)%s%s", b.targets.size(),
              b.root_path_from_dhcp ? ", root path from DHCP" : "", b.use_ibft ? ", iBFT" : "");

    auto plans = cmdline::plan_network(b);
    NetState st;
    if (plans.empty() && b.use_ibft) {
        if (int rc = fw_network(o))
            return rc;
    }
    bring_up_all(plans, b, st);
    std::vector<net::IpAddress> dns = b.nameservers;
    dns.insert(dns.end(), st.dns.begin(), st.dns.end());
    net::write_resolv_conf(dns);

    std::vector<cmdline::Target> targets = b.targets;
    LoginTally tally;
    if (b.root_path_from_dhcp) {
        try {
            auto d = dhcp_targets(st);
            targets.insert(targets.end(), d.begin(), d.end());
        } catch (const Error &e) {
            if (targets.empty() && !b.use_ibft)
                throw;
            log::error("%s", e.what());
            tally.failed(e.code());
        }
    }
    const std::string initiator = targets.empty() ? "" : initiator_for(o, b, st);
    targets = discover_targets(o, b, targets, initiator, tally);
    std::vector<paths::Path> all;
    for (const auto &t : targets) {
        try {
            cli::Options to = cmdline::target_options(o, b, t, initiator);
            if (!t.iface.empty() && t.iface != "default")
                log::info("warning: target %s: iface %s: open-iscsi iface records are not used (software iSCSI "
                          "only); %s", t.target_name.c_str(), t.iface.c_str(),
                          t.netdev.empty() ? "not binding to an interface" : ("binding to " + t.netdev).c_str());
            log::info("target %s at %s:%u%s%s", t.target_name.c_str(), t.server.c_str(), t.port,
                      to.netdev.empty() ? "" : " via ", to.netdev.c_str());
            SessionConfig c = cli::session_config(to);
            all.push_back({"target " + t.target_name, portal_text(c.portal.host, c.portal.port), std::move(c)});
        } catch (const Error &e) {
            tally_error(tally, e);
            log::error("target %s: %s", t.target_name.c_str(), e.what());
        }
    }
    paths::run_paths(std::move(all), tally);
    if (b.use_ibft)
        fw_connect(o, tally);
    return tally_status(tally);
}

} // namespace isr
