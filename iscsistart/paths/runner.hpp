// Logging into the paths of a boot at the same time: one process per path
// (plan.hpp says what a path is), so that a path whose portal does not
// answer holds up neither the others nor the boot.
#pragma once

#include "../session_exists.hpp"
#include "plan.hpp"

#include <vector>

namespace isr::paths {

/// Log into every path (repeats removed first, multipath defaults
/// applied): one path in this process, as a single login always was;
/// several each in a child process of its own, in parallel, each with its
/// own retries (node.session.initial_login_retry_max). The children's log
/// lines are passed on to stderr, tagged with their path's label. Returns
/// as soon as can_go_on(): every device has a path with its disk (printed
/// on stdout as each arrives, as a single login prints its own) or all
/// paths to it failed. Paths still logging in then go on in the
/// background: each one that gets in prints its disk to the kernel log
/// (multipathd or udev finds it) and, with --supervise, stays as that
/// path's supervisor; one that cannot is reported once, when its retries
/// are spent. `tally` counts the paths up (logged_in, existed) and the
/// first failure; a path still trying is neither.
void run_paths(std::vector<Path> paths, LoginTally &tally);

} // namespace isr::paths
