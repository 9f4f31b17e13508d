// iscsistart's firmware actions: -f (print the iBFT records), -N (bring
// up the iBFT NICs), -b (log into the iBFT boot targets).
#pragma once

#include "cli/options.hpp"

namespace isr {

/// -f: print open-iscsi records for the iBFT targets on stdout.
/// Returns the exit code (21 when the table names no target).
int fw_print(const cli::Options &o);

/// -N: configure every iBFT NIC (driver, link, VLAN, address, default
/// route) and write the DNS servers to /etc/resolv.conf.
/// Returns the exit code.
int fw_network(const cli::Options &o);

/// -b: log into the iBFT boot targets, boot-selected first; a failed
/// target does not stop the next. Prints each disk's block device.
/// Returns 0 when at least one login succeeded, else the first failure's
/// exit code.
int fw_connect(const cli::Options &o);

} // namespace isr
