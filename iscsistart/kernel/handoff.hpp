// The handoff of a logged-in connection to the kernel: the negotiated
// values, identity, credentials and timeouts as ISCSI_PARAM_* over
// NETLINK_ISCSI (the kernel's iscsi_if_recv_msg), with BIND_CONN before
// and START_CONN after.
#pragma once

#include "../login/client.hpp"
#include "../login/config.hpp"
#include "netlink.hpp"

#include <cstdint>

namespace isr::kernel {

/// ISCSI_UEVENT_SET_PARAM of a numeric session parameter (e.g.
/// ISCSI_PARAM_SESS_RECOVERY_TMO) through connection 0 of `sid`, as
/// decimal text. `what` names it in errors. Throws isr::Error
/// (ISCSI_ERR_INTERNAL) when the kernel refuses it.
void set_session_param(IscsiNetlink &nl, uint32_t sid, uint32_t param, long value, const char *what);

/// Give the logged-in connection `lr` to the kernel's session `sid`
/// (connection 0): ISCSI_UEVENT_BIND_CONN with its socket, SET_PARAM of
/// the identity, credentials, timeouts and negotiated values, then
/// START_CONN. Used for the first login and for each recovery.
/// Throws isr::Error(ISCSI_ERR_INTERNAL) when the kernel refuses a step.
void hand_over(IscsiNetlink &nl, uint32_t sid, const SessionConfig &o, const pdu::Isid &isid, const LoginResult &lr);

} // namespace isr::kernel
