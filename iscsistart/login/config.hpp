// One session's configuration: what the login driver (login/client), the
// kernel handoff (hand_over) and the supervisor read, apart from how it
// was given (flags, -P, a config file, iBFT, the kernel command line).
// cli::session_config() builds it from the command line's Options.
#pragma once

#include "login.hpp"
#include "params.hpp"

namespace isr {

/// Session-level settings beyond the login keys (open-iscsi's node record
/// names in the comments; defaults are open-iscsi's).
struct SessionSettings {
    int initial_login_retry_max = 30;  // login attempts (node.session.initial_login_retry_max)
    int login_timeout_s = 15;          // per attempt: connect + login (node.conn[0].timeo.login_timeout)
    int replacement_timeout_s = 86400; // node.session.timeo.replacement_timeout
    int noop_out_interval_s = 0;       // node.conn[0].timeo.noop_out_interval
    int noop_out_timeout_s = 0;        // node.conn[0].timeo.noop_out_timeout
    int cmds_max = 128;                // node.session.cmds_max
    int queue_depth = 32;              // node.session.queue_depth
    bool scan = true;                  // node.session.scan = auto | manual
    int disk_timeout_s = 20;           // wait for the block device after the scan
    int64_t lun = -1;                  // print and wait for only this LUN (Linux numbering; the
                                       // root path's LUN field); -1: every LUN of the session
};

/// One target to log into and hand to the kernel. `login` is the pure
/// state machine's input (initiator name and alias, target name, TPGT,
/// CHAP credentials in Secret fields, which wipe themselves, and the
/// operational keys); the rest is for the I/O around it.
struct SessionConfig {
    LoginConfig login;
    Portal portal;           // where the first connection goes
    SessionSettings session; // retries, timeouts, queue sizes, LUN scan
    bool supervise = false;  // --supervise: keep the session alive after the boot (supervise/)
    std::string netdev;      // bind the connection to this interface (iface.net_ifacename; "" = routing decides)
};

} // namespace isr
