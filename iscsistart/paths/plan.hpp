// The paths of a boot: every login iscsistart makes in one run (a
// netroot=, an iBFT target, an -a) is a path; the paths to the same target
// name and LUN are one root device seen through several portals (a
// multipath root). Pure decisions, so they can be unit-tested: which
// paths repeat another, when the boot can go on, the multipath defaults,
// and the report a path's process sends back (runner.hpp does the I/O).
#pragma once

#include "../login/config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace isr::paths {

struct Path {
    std::string label; // whose errors: "target IQN", "iBFT target 0"
    std::string tag;   // its process's log lines: the portal, "10.77.0.1:3260" (portal_text)
    SessionConfig cfg;
};


/// The device a path leads to: target name and LUN (cfg.session.lun).
std::string group_of(const SessionConfig &c);

/// Remove the paths that repeat an earlier one's target name, portal
/// address and port (one session per portal, whatever names it twice);
/// returns the removed ones' labels, for a warning each.
std::vector<std::string> drop_repeats(std::vector<Path> &paths);

/// The number of paths in `paths` that lead to the same device as
/// paths[i] (1 when it is alone).
int paths_to_same(const std::vector<Path> &paths, std::size_t i);

enum class State { RUNNING, UP, FAILED };

/// Whether the boot can go on: every device has a path UP, or no path to
/// it still RUNNING (all of them failed). states[i] belongs to paths[i].
bool can_go_on(const std::vector<Path> &paths, const std::vector<State> &states);

/// The settings a multipath root needs unless the user chose otherwise,
/// for every path whose device has more than one: a path must fail fast
/// so that dm-multipath sends the I/O down another (node.session.timeo.
/// replacement_timeout left at its single-path default of 86400 s becomes
/// MULTIPATH_REPLACEMENT_TIMEOUT_S), and a dead path must be noticed
/// without I/O of its own (NOP-Out every 5 s, 5 s to answer, where they
/// are off). Returns the number of paths changed.
constexpr int MULTIPATH_REPLACEMENT_TIMEOUT_S = 15;
int apply_multipath_defaults(std::vector<Path> &paths);

/// What a path's process reports when its login ends: "disk DEV" lines
/// (LUN order), then "rc N" (its exit code: 0, 15 for a session that
/// existed, else the failure's).
std::string format_report(int rc, const std::vector<std::string> &disks);

struct Report {
    bool complete = false; // the "rc" line arrived
    int rc = 0;
    std::vector<std::string> disks;
};

/// Parse format_report's text; unknown or malformed lines are ignored,
/// and a text without its "rc" line is not complete (the process died).
Report parse_report(std::string_view text);

} // namespace isr::paths
