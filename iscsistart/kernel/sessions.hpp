// The kernel's iSCSI sessions as sysfs shows them (scsi_transport_iscsi:
// class/iscsi_session/sessionN, class/iscsi_connection/connectionN:0), and
// the test whether one of them is a session to a given target and portal.
// Reading is apart from matching, so the match is tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace isr::kernel {

/// A session's state as the kernel names it in sessionN/state
/// (iscsi_session_state_name(): "LOGGED_IN", "FAILED", "FREE"). UNKNOWN:
/// the file is missing or holds anything else.
enum class SessionState { LOGGED_IN, FAILED, FREE, UNKNOWN };

/// The text the kernel uses for `s` ("UNKNOWN" for UNKNOWN).
const char *state_name(SessionState s);

/// One kernel session. Text fields are empty and numbers -1 when sysfs
/// does not have them (file missing, unreadable, or the kernel's "(null)"
/// for a parameter not set yet).
struct KernelSession {
    uint32_t sid = 0;               // N of sessionN
    int host_no = -1;               // H of the hostH its device sits under
    std::string target_name;        // sessionN/targetname
    int tpgt = -1;                  // sessionN/tpgt
    SessionState state = SessionState::UNKNOWN; // sessionN/state
    std::string persistent_address; // connectionN:0/persistent_address
    int persistent_port = -1;       // connectionN:0/persistent_port
};

/// What a login is about to create a session for: the target and the
/// portal as configured (before any redirect). tpgt -1: not known.
struct SessionKey {
    std::string target_name;
    std::string address; // IPv4, IPv6 (brackets allowed) or a host name
    uint16_t port = 3260;
    int tpgt = -1;
};

/// Every sessionN under `sysfs_root`/class/iscsi_session (default the real
/// /sys; tests pass a directory of their own), in sid order. Missing or
/// unreadable attribute files leave their field unknown; a missing
/// class directory (no iscsi module loaded) gives an empty list. Never
/// throws for what the files hold.
std::vector<KernelSession> read_sessions(const std::string &sysfs_root = "/sys");

/// Whether two portal addresses name the same address: both parse as IP
/// addresses (inet_pton, IPv4 or IPv6 text, "[...]" brackets removed) and
/// are equal, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) being equal to
/// its IPv4 address; otherwise (host names, IPv6 with a zone) the texts
/// compared without regard to ASCII case. An empty address matches
/// nothing.
bool same_address(std::string_view a, std::string_view b);

/// Whether `s` is a session to `k`: the same target name (byte for byte,
/// as open-iscsi compares them), same_address() on the persistent address, the
/// same persistent port, and the same TPGT when both sides know it. The
/// state is not looked at (open-iscsi's session_is_running() does not
/// either).
bool session_matches(const KernelSession &s, const SessionKey &k);

/// The first session in `all` that session_matches() `k`, or nullptr.
const KernelSession *find_session(const std::vector<KernelSession> &all, const SessionKey &k);

} // namespace isr::kernel
