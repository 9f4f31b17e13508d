// SendTargets discovery (RFC 7143 section 4.3, appendix C), the I/O half:
// log in a discovery session to one portal (the login state machine in its
// Discovery mode, CHAP with the discovery credentials, redirects followed),
// ask SendTargets=All, read the answer over as many Text Responses as the
// target needs, log out and close. Parsing is sendtargets.hpp (pure).
#pragma once

#include "../login/login.hpp"
#include "../login/params.hpp"
#include "sendtargets.hpp"

#include <string>
#include <vector>

namespace isr::discovery {

/// One SendTargets discovery. Names in the comments are open-iscsi's
/// discovery record names (its defaults).
struct DiscoveryConfig {
    std::string initiator_name;         // InitiatorName (iface.initiatorname)
    std::string initiator_alias;        // optional InitiatorAlias
    Portal portal;                      // the portal we ask (discovery.sendtargets.address, .port)
    AuthConfig auth;                    // discovery.sendtargets.auth.* (none: no CHAP)
    uint32_t max_recv_dlength = 32768;  // bytes (discovery.sendtargets.iscsi.MaxRecvDataSegmentLength)
    int login_timeout_s = 15;           // connect + login, per attempt (discovery.sendtargets.timeo.login_timeout)
    int reply_timeout_s = 30;           // each Text/Logout Response (discovery.sendtargets.timeo.active_timeout)
    int reopen_max = 5;                 // further attempts after a transient failure (discovery.sendtargets.reopen_max)
};

/// Discover the targets behind `cfg.portal`: one Record per portal of each
/// target, in the order the target listed them (an empty list when it
/// offers us none). Connection failures, timeouts and target errors
/// (status class 3) are retried up to cfg.reopen_max times with backoff.
/// Throws isr::Error with open-iscsi's exit codes: ISCSI_ERR_TRANS (4)
/// connection refused or lost, ISCSI_ERR_TRANS_TIMEOUT (8) connect timeout,
/// ISCSI_ERR_PDU_TIMEOUT (11) no response in time, ISCSI_ERR_LOGIN_AUTH_FAILED
/// (24) CHAP failed either way, ISCSI_ERR_FATAL_LOGIN (19) other initiator
/// errors, ISCSI_ERR_LOGIN (5) target errors and protocol violations
/// (e.g. a malformed TargetAddress); messages start with "discovery:" and
/// never contain a secret.
std::vector<Record> send_targets(const DiscoveryConfig &cfg);

} // namespace isr::discovery
