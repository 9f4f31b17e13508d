// One-line step logging with elapsed milliseconds since process start.
// Lines go to stderr and, when writable, to /dev/kmsg so they are in the
// kernel log next to its own boot messages (at debug level when stderr is
// the console already, so the console does not show them twice), kept
// within the kernel's rate limit for /dev/kmsg writers.
#pragma once

#include <cstdarg>

namespace isr::log {

/// Set the debug level (0 = steps only; 1+ = details; 3+ = PDU key traces).
void set_level(int level);
int level();

/// Put "TAG: " in front of every later line ("" or nullptr: none), e.g.
/// the portal of one path of a multipath root; cut to 157 bytes.
void set_tag(const char *tag);

/// Also write to /dev/kmsg (opened once; silently skipped when not writable).
void enable_kmsg(bool on);

/// For a daemon: open /dev/kmsg now (it may be unreachable by path later,
/// after switch_root) and write its records at their own level, since
/// stderr is no longer the console.
void keep_kmsg_open();

/// Milliseconds since the process started (monotonic clock).
long elapsed_ms();

/// Log one step line: "iscsistart: [   12 ms] <message>".
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/// Log an error line (same format, "error: " prefix); always shown.
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/// Log only when the debug level is >= `lvl`.
void debug(int lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

} // namespace isr::log
