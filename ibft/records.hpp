// What the iBFT means for a boot: open-iscsi's "# BEGIN RECORD" text for
// -f, the NICs to configure for -N, and the targets to log into for -b.
// Pure: no I/O. (iscsistart/ibft_nic.hpp turns the NICs into its own
// network settings.)
#pragma once

#include "ibft.hpp"

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace isr::ibft {

/// The open-iscsi record format version our -f output matches.
constexpr const char *RECORD_VERSION = "2.1.8";

/// One record per target that has a NIC, in open-iscsi's `iscsistart -f`
/// format and field order ("# BEGIN RECORD 2.1.8" ... "# END RECORD").
/// `ifname_for(mac)` names the interface with that MAC ("" if none).
/// CHAP secrets are printed only when `show_secrets` is true; otherwise
/// the lines carry "********".
std::string format_records(const Table &t, bool show_secrets,
                           const std::function<std::string(const Mac &)> &ifname_for);

/// Every NIC with any flag set (open-iscsi treats any flag as valid),
/// boot-selected NICs first, otherwise in table order. The pointers are
/// into `t`.
std::vector<const Nic *> boot_nics(const Table &t);

/// The targets to log into for -b: those flagged boot-selected, then, if
/// none is, every target with a flag set; in index order.
std::vector<const Target *> boot_targets(const Table &t);

} // namespace isr::ibft
