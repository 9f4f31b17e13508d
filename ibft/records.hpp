// What the iBFT means for a boot: open-iscsi's "# BEGIN RECORD" text for
// -f, the NIC settings for -N, and the targets to log into for -b.
// Pure: no I/O.
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
                           const std::function<std::string(const std::array<uint8_t, 6> &)> &ifname_for);

/// The NIC settings for every NIC with any flag set (open-iscsi treats
/// any flag as valid), boot-selected NICs first.
std::vector<net::NicConfig> boot_nics(const Table &t);

/// The targets to log into for -b: those flagged boot-selected, then, if
/// none is, every target with a flag set; in index order.
std::vector<const Target *> boot_targets(const Table &t);

/// "52:54:00:12:34:56".
std::string mac_text(const std::array<uint8_t, 6> &mac);

} // namespace isr::ibft
