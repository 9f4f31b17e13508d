// Events the kernel's scsi_transport_iscsi multicasts to the iscsid
// netlink group (ISCSI_NL_GRP_ISCSID): parsing only, no I/O, so a datagram
// can be unit-tested and fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace isr::kernel {

struct KEvent {
    enum class Kind { CONN_ERROR, CONN_LOGIN_STATE, DESTROY_SESSION, UNBIND_SESSION, OTHER };
    Kind kind = Kind::OTHER;
    uint32_t type = 0;  // the ISCSI_KEVENT_* number
    uint32_t sid = 0;
    uint32_t cid = 0;
    uint32_t value = 0; // CONN_ERROR: enum iscsi_err; CONN_LOGIN_STATE: enum iscsi_conn_state
};

/// Split one NETLINK_ISCSI datagram (`len` bytes, possibly several
/// nlmsghdr records) into the session events it carries. Records that are
/// truncated or not events (replies, NLMSG_ERROR) are skipped; never reads
/// outside `buf`.
std::vector<KEvent> parse_kevents(const uint8_t *buf, std::size_t len);

/// A short name for an ISCSI_KEVENT_CONN_ERROR code (the kernel's enum
/// iscsi_err: "TCP_CONN_CLOSE" for 1020, ...), or "unknown error".
const char *conn_error_name(uint32_t err);

} // namespace isr::kernel
