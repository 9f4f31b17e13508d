// Which records of a NETLINK_ISCSI datagram answer the request we sent,
// and which are session events or answers meant for someone else. Pure
// code (no I/O), so the choice is unit-tested without a kernel.
//
// What the kernel's scsi_transport_iscsi (Linux 6.1) sends back:
//  - for most requests, a unicast copy of our iscsi_uevent, same type,
//    results in `r` (so it can only be ours);
//  - for a refused request, a unicast copy with type ISCSI_KEVENT_IF_ERROR
//    and a negative errno in `iferror`;
//  - for ISCSI_UEVENT_GET_STATS, on success no unicast reply at all: a
//    message of type GET_STATS with u.get_stats.sid/cid, followed by
//    struct iscsi_stats, multicast to ISCSI_NL_GRP_ISCSID. Every member
//    of the group (iscsid, another iscsistart) receives every such reply,
//    so one asked for by someone else can come first;
//  - at any time, session events (ISCSI_KEVENT_*) multicast to the group.
#pragma once

#include "kevent.hpp"
#include "uevent.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace isr::kernel {

/// The answer IscsiNetlink waits for after sending one request.
struct ReplyWanted {
    uint32_t type = 0;      ///< the request's ISCSI_UEVENT_* type, which its answer repeats
    bool match_ids = false; ///< the answer must carry our sid and cid in u.get_stats (GET_STATS)
    uint32_t sid = 0;
    uint32_t cid = 0;
};

/// What one netlink record is to a caller waiting for a ReplyWanted.
enum class ReplyClass {
    OURS,    ///< the answer to our request
    FOREIGN, ///< an answer to another request, or to another process's GET_STATS: skip it
    EVENT,   ///< a session event (ISCSI_KEVENT_*, except IF_ERROR): keep it for next_event()
    ERROR,   ///< the kernel refused our request (ISCSI_KEVENT_IF_ERROR, or an NLMSG_ERROR with an errno)
    IGNORE,  ///< too short to hold an iscsi_uevent, or an NLMSG_ERROR acknowledgement (errno 0)
};

/// Classify one record of `len` bytes starting at its nlmsghdr (`len`
/// covers the whole record, header included). For ERROR, `err` is set to
/// the positive errno (EIO when the kernel gave none). Reads nothing
/// outside [rec, rec + len).
ReplyClass classify_record(const uint8_t *rec, std::size_t len, const ReplyWanted &want, int &err);

/// A kernel error code as a positive errno: -v for a negative errno, v
/// for a positive one, EIO for 0 or one that cannot be negated.
int positive_errno(int32_t v);

/// The outcome of one datagram.
struct ReplyScan {
    bool done = false;           ///< a record was OURS or ERROR: stop waiting
    int err = 0;                 ///< ERROR: the positive errno; 0 when OURS
    kabi::iscsi_uevent reply{};  ///< OURS, or an IF_ERROR answer: that record's iscsi_uevent
    std::vector<uint8_t> tail;   ///< OURS: the bytes after the iscsi_uevent (GET_STATS: struct iscsi_stats)
    std::vector<KEvent> events;  ///< the datagram's session events, in order (also those after our answer)
    unsigned foreign = 0;        ///< answers to other requests that were skipped
};

/// Walk the records of one datagram of `len` bytes (each NLMSG_ALIGNed,
/// as the kernel packs them) and classify each; the first OURS or ERROR
/// decides `done`, later answers are ignored. Stops at a truncated record;
/// never reads outside `buf`.
ReplyScan scan_reply(const uint8_t *buf, std::size_t len, const ReplyWanted &want);

} // namespace isr::kernel
