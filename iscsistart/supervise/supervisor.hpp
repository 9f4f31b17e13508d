// The session supervisor (--supervise): after the boot login it stays in
// the background, listens for the kernel's ISCSI_KEVENT_CONN_ERROR and
// brings the connection back (stop, reinstate the session with the same
// ISID, bind, start): with backoff until node.session.timeo.
// replacement_timeout, then every 5 s for as long as the session exists;
// it steps aside when open-iscsi's iscsid has taken the session over.
#pragma once

#include "../boot_session.hpp"

#include <vector>

namespace isr::supervise {

/// Fork a supervisor for `sessions` and return in the parent (the boot
/// goes on). The child marks itself as a root-storage daemon (argv[0]
/// starting with '@', which systemd spares when it kills processes at
/// switch-root and shutdown), leaves the caller's session and stdio
/// (stdout and non-console stderr go to /dev/null; logs to /dev/kmsg),
/// locks its memory, opts out of the OOM killer and never returns. A
/// failing fork is logged; the sessions then run unsupervised.
void start(std::vector<BootSession> sessions, char **argv = nullptr);

/// Remember the process's argv (main's), for start() and set_title()
/// called without one.
void set_argv(char **argv);

/// Rewrite this process's command line (/proc/PID/cmdline) to
/// "@iscsistart --supervise": systemd spares processes whose argv[0]
/// starts with '@' at switch-root and shutdown, and the words it was
/// started with (a secret given with -w) are no longer shown. Uses the
/// argv given to set_argv(); does nothing without one.
void set_title();

/// The supervisor's loop for `sessions` in this process; returns when
/// none is left to watch (removed, or taken over by iscsid) or on SIGTERM.
/// Exposed for tests.
void run(std::vector<BootSession> &sessions);

} // namespace isr::supervise
