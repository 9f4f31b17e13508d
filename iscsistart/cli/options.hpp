// Command line of iscsistart, compatible with open-iscsi's iscsistart
// (same short and long options, -P NAME=VALUE with open-iscsi's record
// names). Parsing only: no I/O besides reading files named by the user.
#pragma once

#include "../discovery/discovery.hpp"
#include "../login/config.hpp"
#include "../login/login.hpp"
#include "../login/params.hpp"
#include "util/secret.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr::cli {

enum class Action { LOGIN, HELP, VERSION, FW_CONNECT, FW_NETWORK, FW_PRINT, FROM_CMDLINE, DISCOVER };

/// Session-level settings beyond the login keys (defined with the session
/// configuration they are part of).
using SessionSettings = isr::SessionSettings;

struct Options {
    Action action = Action::LOGIN;
    LoginConfig login;
    Portal portal;
    SessionSettings session;
    int debug = 0;
    std::string config_file; // -c
    bool show_secrets = false; // --show-secrets: -f prints CHAP secrets
    bool supervise = false;    // --supervise: recover the session after the login (supervise/)
    std::string ibft_path;     // --ibft: raw table file or sysfs-style directory instead of the firmware
    std::string netdev;        // -P iface.net_ifacename: bind the connection to this interface
    std::vector<Portal> more_portals; // -a given again: more paths to the same target (each with -p's port)
    // FROM_CMDLINE: --from-cmdline, --cmdline=STRING, or no -t/-a/-b/-N/-f
    // at all (cmdline_auto: then fall back to open-iscsi's "-t missing"
    // error when /proc/cmdline asks for no iSCSI root).
    // Both may hold CHAP secrets: SensitiveString wipes them when they go.
    std::optional<SensitiveString> cmdline_text; // --cmdline=STRING instead of /proc/cmdline
    bool cmdline_auto = false;
    std::string initiatorname_file;          // where -i is looked up when missing
    std::vector<std::pair<std::string, SensitiveString>> param_flags; // -P NAME=VALUE, in order
    // --discover: SendTargets to -a/-p. Its credentials and timeouts come
    // from -P discovery.sendtargets.* (apply_discovery_param); the
    // initiator name and portal from -i, -a, -p (discovery_config()).
    discovery::DiscoveryConfig discovery;
};

/// Parse argv. Throws isr::Error(ISCSI_ERR_INVAL) with a one-line message
/// naming the option and the reason for: an unknown option, a missing or
/// malformed value, a malformed iSCSI name, a secret longer than 255 bytes,
/// an unknown -P name, inconsistent CHAP credentials, or a missing required
/// option (-t, -a, and -i unless /etc/iscsi/initiatorname.iscsi names one).
/// `initiatorname_file` is where a missing -i is looked up.
/// The values of -w, -W, --password, --password_in, of -P with a secret
/// name (is_secret_param) and of --cmdline are overwritten in argv with
/// 'x' as soon as they are read (even when parse throws), so that
/// /proc/PID/cmdline no longer shows them. Messages never echo them.
Options parse(int argc, char **argv, const char *initiatorname_file = "/etc/iscsi/initiatorname.iscsi");

/// The login and session settings of `o` (-t, -a, -p, -g, -i, -I, the
/// CHAP flags, -P values, --supervise) as the session's configuration:
/// the one place the command line becomes what the login driver, the
/// kernel handoff and the supervisor read. Secrets are copied into new
/// Secret objects (each wipes itself when it goes).
SessionConfig session_config(const Options &o);

/// True for the -P / config-file names whose value is a CHAP secret:
/// node.session.auth.password and node.session.auth.password_in.
bool is_secret_param(std::string_view name);

/// Check CHAP credentials for consistency (password without username,
/// mutual without one-way, password_in == password per RFC 7143 12.1.3).
/// Throws isr::Error(ISCSI_ERR_INVAL) naming the field; `where` prefixes
/// the message ("" for the command line's own flags).
void check_auth(const AuthConfig &a, const std::string &where = "");

/// The InitiatorName= of an open-iscsi initiatorname file, "" when the
/// file is missing or names none.
std::string read_initiatorname(const std::string &path);

/// Apply one -P NAME=VALUE (or a config-file line) to `o`.
/// Throws isr::Error(ISCSI_ERR_INVAL) for an unknown name or a bad value.
void apply_param(Options &o, std::string_view name, std::string_view value);

/// Check an iSCSI name (RFC 3720 3.2.6 / RFC 7143 4.2.7): "iqn.yyyy-mm.",
/// "eui." + 16 hex digits, or "naa." + 16 or 32 hex digits; at most 223
/// bytes of letters, digits, '.', '-' and ':'. Throws isr::Error
/// (ISCSI_ERR_INVAL) naming `field` and the reason.
void validate_iscsi_name(std::string_view name, const char *field);

/// Apply one -P discovery.sendtargets.NAME=VALUE (or config-file line):
/// auth.authmethod (CHAP or None), auth.username, auth.password,
/// auth.username_in, auth.password_in, timeo.login_timeout,
/// timeo.active_timeout, reopen_max, iscsi.MaxRecvDataSegmentLength
/// (open-iscsi's discovery record names). Throws isr::Error
/// (ISCSI_ERR_INVAL) for an unknown name or a bad value, never echoing
/// a password. (cli/discovery_params.cpp)
void apply_discovery_param(Options &o, std::string_view name, std::string_view value);

/// The --discover run's configuration: o.discovery with -i, -a, -p and
/// node.session.auth.chap_algs (open-iscsi shares that name).
discovery::DiscoveryConfig discovery_config(const Options &o);

/// The --help text.
const char *usage_text();

} // namespace isr::cli
