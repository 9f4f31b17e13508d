// Decisions of the session supervisor that need no I/O, so they can be
// unit-tested: whether open-iscsi's iscsid is up, whether it has taken a
// session over, and how long to wait before the next re-login.
#pragma once

#include <cstdint>
#include <string_view>

namespace isr::supervise {

/// The abstract socket iscsid listens on for iscsiadm (open-iscsi's
/// ISCSIADM_NAMESPACE), as /proc/net/unix shows it.
constexpr std::string_view ISCSID_SOCKET = "@ISCSIADM_ABSTRACT_NAMESPACE";

/// Whether the text of /proc/net/unix has a listening socket named
/// ISCSID_SOCKET (state 01, flags with __SO_ACCEPTCON). Malformed lines
/// are ignored.
bool iscsid_listening(std::string_view proc_net_unix);

/// iscsid adopts a session it finds at start-up by stopping the
/// connection and logging in again itself (open-iscsi's sync_session): the
/// kernel's connection then has a local port that is not the one of the
/// socket we handed over. `kernel_port` 0 means unknown.
bool taken_over(bool iscsid_up, uint16_t our_port, uint16_t kernel_port);

/// Milliseconds to wait before re-login attempt `attempt` (1 = after the
/// first failure): capped exponential backoff (250 ms doubling to 4 s)
/// with jitter from `unit` in [0, 1), never past `ms_left` (the time left
/// until replacement_timeout). Returns -1 when no time is left: give up.
long retry_delay_ms(int attempt, double unit, long ms_left);

} // namespace isr::supervise
