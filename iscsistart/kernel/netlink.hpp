// NETLINK_ISCSI requests to the kernel's scsi_transport_iscsi: create a
// session and connection, bind our TCP socket, set parameters and start
// the connection (the kernel's iscsi_if_recv_msg handles each).
#pragma once

#include "kevent.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace isr::kernel {

/// The two socket calls IscsiNetlink makes, replaceable so tests can run
/// it over a stand-in datagram socket on a host without iSCSI transport.
struct NetlinkOps {
    /// Send one request datagram of `len` bytes to the kernel (as
    /// sendto(2) to netlink port 0): bytes sent, or -1 with errno.
    ssize_t (*send)(int fd, const void *buf, std::size_t len);
    /// Receive one datagram (as recv(2); `flags` is MSG_DONTWAIT): its
    /// length, or -1 with errno (ENOBUFS: the kernel dropped messages
    /// because our receive buffer was full).
    ssize_t (*recv)(int fd, void *buf, std::size_t len, int flags);
};

class IscsiNetlink {
public:
    /// How long a request waits for its answer, in milliseconds, however
    /// many events or answers for others arrive meanwhile.
    static constexpr int REPLY_TIMEOUT_MS = 10000;

    /// Open the NETLINK_ISCSI socket. Throws isr::Error: ISCSI_ERR_ACCESS
    /// when not permitted, ISCSI_ERR_TRANS_NOT_FOUND when the kernel has no
    /// iSCSI transport class.
    explicit IscsiNetlink(uint64_t transport_handle);
    /// Use the already open datagram socket `fd` (owned from now on) with
    /// `ops`, and wait `reply_timeout_ms` for each answer: for tests.
    IscsiNetlink(uint64_t transport_handle, int fd, const NetlinkOps &ops, int reply_timeout_ms);
    ~IscsiNetlink();
    IscsiNetlink(const IscsiNetlink &) = delete;
    IscsiNetlink &operator=(const IscsiNetlink &) = delete;

    struct SessionIds {
        uint32_t sid;
        uint32_t host_no;
    };
    /// ISCSI_UEVENT_CREATE_SESSION: a session (and SCSI host) whose first
    /// command carries `initial_cmdsn`.
    SessionIds create_session(uint32_t initial_cmdsn, uint16_t cmds_max, uint16_t queue_depth);
    /// ISCSI_UEVENT_CREATE_CONN: connection `cid` of session `sid`.
    void create_conn(uint32_t sid, uint32_t cid);
    /// ISCSI_UEVENT_BIND_CONN: hand the connected TCP socket `fd` to the
    /// kernel (iscsi_tcp looks the fd up in our process).
    void bind_conn(uint32_t sid, uint32_t cid, int fd, bool leading);
    /// ISCSI_UEVENT_SET_PARAM with `value` as text (the kernel parses it).
    /// Returns false when the transport does not know the parameter
    /// (-ENOSYS); throws isr::Error(ISCSI_ERR_INTERNAL) on other errors.
    /// `what` names the parameter in errors; the value is never logged.
    bool set_param(uint32_t sid, uint32_t cid, uint32_t param, std::string_view value, const char *what);
    /// ISCSI_UEVENT_START_CONN: enter full-feature phase in the kernel.
    void start_conn(uint32_t sid, uint32_t cid);
    /// ISCSI_UEVENT_STOP_CONN with `flag` (STOP_CONN_RECOVER: block the
    /// session, drop the socket, keep the session for a new connection;
    /// also acknowledges a kernel-initiated cleanup after CONN_ERROR).
    void stop_conn(uint32_t sid, uint32_t cid, uint32_t flag);
    /// ISCSI_UEVENT_GET_STATS: how many SCSI Command PDUs connection `cid`
    /// has sent. The kernel numbers each with the next CmdSN (and nothing
    /// else we use takes one: its NOP-Outs and task management PDUs are
    /// immediate), so the session's next CmdSN is the initial CmdSN plus
    /// this count: what a re-login must carry (RFC 7143 11.12.7).
    /// The kernel multicasts the answer to the iscsid group, so answers to
    /// other processes' GET_STATS arrive too: only the one for `sid` and
    /// `cid` counts. Throws isr::Error(ISCSI_ERR_INTERNAL) when the kernel
    /// refuses (no such connection) or no answer comes in REPLY_TIMEOUT_MS.
    uint32_t scsicmd_pdus(uint32_t sid, uint32_t cid);
    /// Best-effort teardown after a failure (errors ignored).
    void destroy(uint32_t sid, uint32_t cid, bool conn_created);

    /// The next session event the kernel multicast to the iscsid group
    /// (including those that arrived while we waited for a reply), waiting
    /// at most `timeout_ms` (-1: forever). Returns false on timeout or
    /// EINTR; throws isr::Error(ISCSI_ERR_INTERNAL) when the socket fails.
    /// When the kernel dropped events (our receive buffer overflowed) the
    /// event returned is one of Kind::OTHER with type 0: look at the
    /// sessions' state again.
    bool next_event(KEvent &ev, int timeout_ms);

private:
    /// Send `msg` (`len` bytes, an iscsi_uevent first) and wait for its
    /// answer, keeping session events that arrive meanwhile for
    /// next_event(). `match_ids`: the answer must repeat u.get_stats.sid
    /// and .cid of the request.
    void call(void *msg, std::size_t len, const char *what, bool check_retcode, void *reply,
              std::vector<uint8_t> *tail = nullptr, bool match_ids = false);
    /// Note that the kernel dropped messages for us (ENOBUFS).
    void overflowed(const char *while_what);

    int fd_ = -1;
    uint64_t handle_;
    NetlinkOps ops_;
    int reply_timeout_ms_ = REPLY_TIMEOUT_MS;
    uint32_t seq_ = 0;
    bool overflow_logged_ = false;
    std::deque<KEvent> pending_; // events read while waiting for a reply
};

} // namespace isr::kernel
