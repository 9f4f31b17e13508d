// iscsistart: log into the iSCSI root target and hand the session to the
// kernel. Exit codes follow open-iscsi's ISCSI_ERR_* table (util/errors.hpp).
#include "boot_session.hpp"
#include "cli/options.hpp"
#include "cmdline_boot.hpp"
#include "crypto/crypto.hpp"
#include "discovery/discovery.hpp"
#include "firmware.hpp"
#include "kernel/modules.hpp"
#include "paths/runner.hpp"
#include "session_exists.hpp"
#include "supervise/supervisor.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "version.hpp"

#include <cstdio>
#include <exception>
#include <new>
#include <ctime>
#include <sys/prctl.h>

using namespace isr;

namespace {
int run(const cli::Options &o);
}

namespace {

// --discover: one line per portal of each target, as iscsiadm -m discovery
// -t st prints them; none at all is open-iscsi's "No portals found" (21).
int discover(const cli::Options &o)
{
    auto records = discovery::send_targets(cli::discovery_config(o));
    if (records.empty()) {
        log::error("No portals found");
        return ISCSI_ERR_NO_OBJS_FOUND;
    }
    for (const auto &r : records)
        printf("%s\n", discovery::format_record(r).c_str());
    return ISCSI_SUCCESS;
}

} // namespace

int main(int argc, char **argv)
{
    // No core dumps and no ptrace by other users: this process (and the
    // supervisor it may leave) holds CHAP secrets.
    prctl(PR_SET_DUMPABLE, 0);
    // The kernel crypto backend (static build) loads AF_ALG and hash
    // modules the way every other module is loaded.
    crypto::set_module_loader([](const std::string &m, std::string *why) { return kernel::load_module(m, why); });
    cli::Options o;
    try {
        o = cli::parse(argc, argv);
    } catch (const Error &e) {
        log::error("%s", e.what());
        fprintf(stderr, "Try `iscsistart --help' for more information.\n");
        return e.code();
    }
    log::set_level(o.debug);
    if (o.debug >= 1) { // where our [0 ms] is on the kernel log's clock
        timespec ts{};
        clock_gettime(CLOCK_BOOTTIME, &ts);
        log::debug(1, "started at %ld.%03ld s since boot", (long)ts.tv_sec, ts.tv_nsec / 1000000);
    }
    supervise::set_argv(argv);

    switch (o.action) {
    case cli::Action::HELP:
        fputs(cli::usage_text(), stdout);
        return ISCSI_SUCCESS;
    case cli::Action::VERSION:
        // the second line tells initramfs hooks which modules CHAP needs
        printf("iscsistart version %s (iscsiroot)\ncrypto: %s\n", ISCSIROOT_VERSION, crypto::backend_name());
        return ISCSI_SUCCESS;
    default:
        break;
    }

    // Steps of a boot also go to the kernel log, next to its own messages
    // (not -f: its output is read by scripts and people).
    log::enable_kmsg(o.action != cli::Action::FW_PRINT && o.action != cli::Action::DISCOVER);
    int rc = run(o);
    // Sessions logged in with --supervise (also when a later step or
    // another target failed) get a supervisor; this process exits.
    supervise::start(std::move(supervised_sessions()), argv);
    return rc;
}

namespace {

int run(const cli::Options &o)
{
    try {
        switch (o.action) {
        case cli::Action::FW_PRINT:
            return fw_print(o);
        case cli::Action::FW_NETWORK:
            return fw_network(o);
        case cli::Action::FW_CONNECT:
            return fw_connect(o);
        case cli::Action::FROM_CMDLINE:
            return cmdline_boot(o);
        case cli::Action::DISCOVER:
            return discover(o);
        default:
            break;
        }
        if (!o.more_portals.empty()) { // -a more than once: a path each, in parallel
            std::vector<paths::Path> all;
            for (std::size_t i = 0; i <= o.more_portals.size(); ++i) {
                SessionConfig c = cli::session_config(o);
                if (i)
                    c.portal = o.more_portals[i - 1];
                all.push_back({"target " + c.login.target_name + " at " + portal_text(c.portal.host, c.portal.port),
                               portal_text(c.portal.host, c.portal.port), std::move(c)});
            }
            LoginTally tally;
            paths::run_paths(std::move(all), tally);
            return tally_status(tally);
        }
        auto disks = boot_session(cli::session_config(o));
        for (const auto &d : disks)
            printf("%s\n", d.c_str());
        return ISCSI_SUCCESS;
    } catch (const Error &e) {
        print_existing_disks(e); // a session that was there already: its disks, as on success
        log::error("%s", e.what());
        log::info("exit %d", e.code());
        return e.code();
    } catch (const std::bad_alloc &) {
        log::error("out of memory");
        return ISCSI_ERR_NOMEM;
    } catch (const std::exception &e) {
        log::error("internal error: %s", e.what());
        return ISCSI_ERR_INTERNAL;
    }
}

} // namespace
