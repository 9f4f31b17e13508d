// iscsistart's firmware actions: -f (print the iBFT records), -N (bring
// up the iBFT NICs), -b (log into the iBFT boot targets).
#pragma once

#include "cli/options.hpp"
#include "session_exists.hpp"

namespace isr {

/// -f: print open-iscsi records for the iBFT targets on stdout.
/// Returns the exit code (21 when the table names no target).
int fw_print(const cli::Options &o);

/// -N: configure every iBFT NIC (driver, link, VLAN, address, default
/// route) and write the DNS servers to /etc/resolv.conf.
/// Returns the exit code.
int fw_network(const cli::Options &o);

/// -b: log into the iBFT boot targets, boot-selected first; a failed
/// target does not stop the next. Prints each disk's block device, also
/// those of a target whose session exists already (not logged in again).
/// Returns tally_status(): the first failure's exit code when no target
/// has a session, else 15 when a target's session existed already, else 0.
int fw_connect(const cli::Options &o);

/// -b's work, each target's outcome added to `tally` (for --from-cmdline
/// with rd.iscsi.firmware, whose targets share one exit status).
void fw_connect(const cli::Options &o, LoginTally &tally);

} // namespace isr
