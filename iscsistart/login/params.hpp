// What we ask for in a login, and what a login agreed on.
// Defaults are open-iscsi's node defaults (iscsid.conf), which the kernel's
// iscsi_tcp is tuned for.
#pragma once

#include "util/secret.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace isr {

/// Operational keys we propose (RFC 7143 section 13).
struct OperationalParams {
    std::string header_digest = "None";  // "None", "CRC32C", "CRC32C,None", "None,CRC32C"
    std::string data_digest = "None";
    bool initial_r2t = false;
    bool immediate_data = true;
    uint32_t max_recv_dlength = 262144;  // bytes, 512..2^24-1
    uint32_t max_burst = 16776192;       // bytes
    uint32_t first_burst = 262144;       // bytes
    uint32_t max_connections = 1;
    uint32_t default_time2wait = 2;      // seconds
    uint32_t default_time2retain = 0;    // seconds
    uint32_t max_outstanding_r2t = 1;
    uint32_t error_recovery_level = 0;
    bool data_pdu_in_order = true;
    bool data_sequence_in_order = true;
};

/// CHAP credentials; all empty means no authentication.
struct AuthConfig {
    std::string username;      // CHAP_N we send
    Secret password;           // secret for the target's challenge
    std::string username_in;   // CHAP_N the target must send (mutual)
    Secret password_in;        // secret the target must prove (mutual)
    std::vector<int> chap_algs{5}; // CHAP_A list in preference order (default MD5)

    bool chap() const { return !username.empty() || !password.empty(); }
    bool mutual() const { return !password_in.empty(); }
};

/// SessionType of a login (RFC 7143 section 13.21).
enum class SessionType { NORMAL, DISCOVERY };

/// Everything one login needs besides the socket.
struct LoginConfig {
    std::string initiator_name;
    std::string initiator_alias;  // optional InitiatorAlias
    std::string target_name;      // unused (and not sent) for a discovery session
    /// DISCOVERY: SessionType=Discovery without TargetName, and only the
    /// operational keys a discovery session uses (login.hpp); the
    /// discovery driver sets `op`'s digests to None (it checks none).
    SessionType session_type = SessionType::NORMAL;
    int tpgt = -1;                // -1: accept any TargetPortalGroupTag
    AuthConfig auth;
    OperationalParams op;
};

/// Results of a successful login, as the kernel needs them.
struct Negotiated {
    bool header_digest = false;      // CRC32C agreed
    bool data_digest = false;
    bool initial_r2t = true;
    bool immediate_data = true;
    uint32_t max_recv_dlength = 8192;  // what we receive (we declared it)
    uint32_t max_xmit_dlength = 8192;  // target's MaxRecvDataSegmentLength
    uint32_t max_burst = 262144;
    uint32_t first_burst = 65536;
    uint32_t max_connections = 1;
    uint32_t default_time2wait = 2;
    uint32_t default_time2retain = 20;
    uint32_t max_outstanding_r2t = 1;
    uint32_t error_recovery_level = 0;
    bool data_pdu_in_order = true;
    bool data_sequence_in_order = true;
    int tpgt = -1;                   // TargetPortalGroupTag the target sent
    std::string target_alias;
    uint16_t tsih = 0;
    uint32_t exp_statsn = 0;         // StatSN of the final response + 1
    uint32_t exp_cmdsn = 0;
    uint32_t max_cmdsn = 0;
};

} // namespace isr
