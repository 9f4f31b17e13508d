// iscsistart: log into the iSCSI root target and hand the session to the
// kernel. Exit codes follow open-iscsi's ISCSI_ERR_* table (util/errors.hpp).
#include "boot_session.hpp"
#include "cli/options.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "version.hpp"

#include <cstdio>
#include <exception>
#include <new>

using namespace isr;

int main(int argc, char **argv)
{
    cli::Options o;
    try {
        o = cli::parse(argc, argv);
    } catch (const Error &e) {
        log::error("%s", e.what());
        fprintf(stderr, "Try `iscsistart --help' for more information.\n");
        return e.code();
    }
    log::set_level(o.debug);

    switch (o.action) {
    case cli::Action::HELP:
        fputs(cli::usage_text(), stdout);
        return ISCSI_SUCCESS;
    case cli::Action::VERSION:
        printf("iscsistart version %s (iscsiroot)\n", ISCSIROOT_VERSION);
        return ISCSI_SUCCESS;
    case cli::Action::FW_CONNECT:
    case cli::Action::FW_NETWORK:
    case cli::Action::FW_PRINT:
        log::error("-b/-N/-f: firmware boot tables (iBFT) are not supported by this build yet");
        return ISCSI_ERR_OP_NOT_SUPP;
    case cli::Action::LOGIN:
        break;
    }

    // Steps of a boot also go to the kernel log, next to its own messages.
    log::enable_kmsg(true);
    try {
        auto disks = boot_session(o);
        for (const auto &d : disks)
            printf("%s\n", d.c_str());
        return ISCSI_SUCCESS;
    } catch (const Error &e) {
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
