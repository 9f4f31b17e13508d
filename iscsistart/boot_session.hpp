// One boot login, end to end: kernel session, login with retries and
// redirects, handoff of the TCP connection, LUN scan, block device.
#pragma once

#include "cli/options.hpp"

#include <string>
#include <vector>

namespace isr {

/// Log into the configured target and hand the session to the kernel.
/// Returns the block devices of the session's disks (LUN order).
/// Throws isr::Error with the exit code of the failing step; on failure
/// the kernel session it created is destroyed again.
std::vector<std::string> boot_session(const cli::Options &o);

} // namespace isr
