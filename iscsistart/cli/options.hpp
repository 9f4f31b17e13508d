// Command line of iscsistart, compatible with open-iscsi's iscsistart
// (same short and long options, -P NAME=VALUE with open-iscsi's record
// names). Parsing only: no I/O besides reading files named by the user.
#pragma once

#include "../login/login.hpp"
#include "../login/params.hpp"

#include <string>
#include <string_view>

namespace isr::cli {

enum class Action { LOGIN, HELP, VERSION, FW_CONNECT, FW_NETWORK, FW_PRINT };

/// Session-level settings beyond the login keys.
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
};

struct Options {
    Action action = Action::LOGIN;
    LoginConfig login;
    Portal portal;
    SessionSettings session;
    int debug = 0;
    std::string config_file; // -c
    bool show_secrets = false; // --show-secrets: -f prints CHAP secrets
    std::string ibft_path;     // --ibft: raw table file or sysfs-style directory instead of the firmware
};

/// Parse argv. Throws isr::Error(ISCSI_ERR_INVAL) with a one-line message
/// naming the option and the reason for: an unknown option, a missing or
/// malformed value, a malformed iSCSI name, a secret longer than 255 bytes,
/// an unknown -P name, inconsistent CHAP credentials, or a missing required
/// option (-t, -a, and -i unless /etc/iscsi/initiatorname.iscsi names one).
/// `initiatorname_file` is where a missing -i is looked up.
Options parse(int argc, char **argv, const char *initiatorname_file = "/etc/iscsi/initiatorname.iscsi");

/// Apply one -P NAME=VALUE (or a config-file line) to `o`.
/// Throws isr::Error(ISCSI_ERR_INVAL) for an unknown name or a bad value.
void apply_param(Options &o, std::string_view name, std::string_view value);

/// Check an iSCSI name (RFC 3720 3.2.6 / RFC 7143 4.2.7): "iqn.yyyy-mm.",
/// "eui." + 16 hex digits, or "naa." + 16 or 32 hex digits; at most 223
/// bytes of letters, digits, '.', '-' and ':'. Throws isr::Error
/// (ISCSI_ERR_INVAL) naming `field` and the reason.
void validate_iscsi_name(std::string_view name, const char *field);

/// The --help text.
const char *usage_text();

} // namespace isr::cli
