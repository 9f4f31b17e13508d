// Our own definition of the NETLINK_ISCSI message ABI, written from the
// kernel's include/scsi/iscsi_if.h as of Linux 6.1 (the guest kernel):
// enum iscsi_uevent_e, enum iscsi_param, enum iscsi_conn_state, enum
// iscsi_err, STOP_CONN_*, struct iscsi_uevent and struct iscsi_stats.
// Names are the kernel's. Only the union members we use are named; the
// unions keep the kernel's sizes, and the static_asserts below pin every
// size and offset we read or write. tests/unit/test_kabi.cpp checks the
// numbers against literal values copied from the header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <linux/netlink.h> // NETLINK_ISCSI

namespace isr::kabi {

// NETLINK_ISCSI itself is the uapi header's macro (linux/netlink.h).
static_assert(NETLINK_ISCSI == 8, "NETLINK_ISCSI is 8 in linux/netlink.h");

/// The multicast group scsi_transport_iscsi sends session events (and
/// GET_STATS replies) to; iscsid joins it.
constexpr uint32_t ISCSI_NL_GRP_ISCSID = 1;

constexpr uint32_t UEVENT_BASE = 10;
constexpr uint32_t KEVENT_BASE = 100;
constexpr uint32_t ISCSI_ERR_BASE = 1000;

/// Message types: requests (user to kernel, UEVENT_BASE + n) and events
/// (kernel to user, KEVENT_BASE + n). Requests we do not send are left out.
enum iscsi_uevent_e : uint32_t {
    ISCSI_UEVENT_UNKNOWN = 0,
    ISCSI_UEVENT_CREATE_SESSION = UEVENT_BASE + 1,
    ISCSI_UEVENT_DESTROY_SESSION = UEVENT_BASE + 2,
    ISCSI_UEVENT_CREATE_CONN = UEVENT_BASE + 3,
    ISCSI_UEVENT_DESTROY_CONN = UEVENT_BASE + 4,
    ISCSI_UEVENT_BIND_CONN = UEVENT_BASE + 5,
    ISCSI_UEVENT_SET_PARAM = UEVENT_BASE + 6,
    ISCSI_UEVENT_START_CONN = UEVENT_BASE + 7,
    ISCSI_UEVENT_STOP_CONN = UEVENT_BASE + 8,
    ISCSI_UEVENT_SEND_PDU = UEVENT_BASE + 9,
    ISCSI_UEVENT_GET_STATS = UEVENT_BASE + 10,

    // Events the kernel multicasts to ISCSI_NL_GRP_ISCSID (IF_ERROR is the
    // exception: the kernel's unicast answer to a request it refused).
    ISCSI_KEVENT_RECV_PDU = KEVENT_BASE + 1,
    ISCSI_KEVENT_CONN_ERROR = KEVENT_BASE + 2,
    ISCSI_KEVENT_IF_ERROR = KEVENT_BASE + 3,
    ISCSI_KEVENT_DESTROY_SESSION = KEVENT_BASE + 4,
    ISCSI_KEVENT_UNBIND_SESSION = KEVENT_BASE + 5,
    ISCSI_KEVENT_CREATE_SESSION = KEVENT_BASE + 6,
    ISCSI_KEVENT_PATH_REQ = KEVENT_BASE + 7,
    ISCSI_KEVENT_IF_DOWN = KEVENT_BASE + 8,
    ISCSI_KEVENT_CONN_LOGIN_STATE = KEVENT_BASE + 9,
    ISCSI_KEVENT_HOST_EVENT = KEVENT_BASE + 10,
    ISCSI_KEVENT_PING_COMP = KEVENT_BASE + 11,
};

/// ISCSI_UEVENT_STOP_CONN flags (#defines STOP_CONN_* in the kernel).
enum iscsi_stop_conn_flag : uint32_t {
    STOP_CONN_TERM = 0x1,
    STOP_CONN_SUSPEND = 0x2,
    STOP_CONN_RECOVER = 0x3,
};

/// The state an ISCSI_KEVENT_CONN_LOGIN_STATE event carries.
enum iscsi_conn_state : uint32_t {
    ISCSI_CONN_STATE_FREE = 0,
    ISCSI_CONN_STATE_XPT_WAIT = 1,
    ISCSI_CONN_STATE_IN_LOGIN = 2,
    ISCSI_CONN_STATE_LOGGED_IN = 3,
    ISCSI_CONN_STATE_IN_LOGOUT = 4,
    ISCSI_CONN_STATE_LOGOUT_REQUESTED = 5,
    ISCSI_CONN_STATE_CLEANUP_WAIT = 6,
};

/// The error an ISCSI_KEVENT_CONN_ERROR event carries (the kernel's enum
/// iscsi_err; not our exit codes, which are open-iscsi's userspace table).
enum iscsi_err : uint32_t {
    ISCSI_OK = 0,
    ISCSI_ERR_DATASN = ISCSI_ERR_BASE + 1,
    ISCSI_ERR_DATA_OFFSET = ISCSI_ERR_BASE + 2,
    ISCSI_ERR_MAX_CMDSN = ISCSI_ERR_BASE + 3,
    ISCSI_ERR_EXP_CMDSN = ISCSI_ERR_BASE + 4,
    ISCSI_ERR_BAD_OPCODE = ISCSI_ERR_BASE + 5,
    ISCSI_ERR_DATALEN = ISCSI_ERR_BASE + 6,
    ISCSI_ERR_AHSLEN = ISCSI_ERR_BASE + 7,
    ISCSI_ERR_PROTO = ISCSI_ERR_BASE + 8,
    ISCSI_ERR_LUN = ISCSI_ERR_BASE + 9,
    ISCSI_ERR_BAD_ITT = ISCSI_ERR_BASE + 10,
    ISCSI_ERR_CONN_FAILED = ISCSI_ERR_BASE + 11,
    ISCSI_ERR_R2TSN = ISCSI_ERR_BASE + 12,
    ISCSI_ERR_SESSION_FAILED = ISCSI_ERR_BASE + 13,
    ISCSI_ERR_HDR_DGST = ISCSI_ERR_BASE + 14,
    ISCSI_ERR_DATA_DGST = ISCSI_ERR_BASE + 15,
    ISCSI_ERR_PARAM_NOT_FOUND = ISCSI_ERR_BASE + 16,
    ISCSI_ERR_NO_SCSI_CMD = ISCSI_ERR_BASE + 17,
    ISCSI_ERR_INVALID_HOST = ISCSI_ERR_BASE + 18,
    ISCSI_ERR_XMIT_FAILED = ISCSI_ERR_BASE + 19,
    ISCSI_ERR_TCP_CONN_CLOSE = ISCSI_ERR_BASE + 20,
    ISCSI_ERR_SCSI_EH_SESSION_RST = ISCSI_ERR_BASE + 21,
    ISCSI_ERR_NOP_TIMEDOUT = ISCSI_ERR_BASE + 22,
};

/// ISCSI_UEVENT_SET_PARAM parameters (the kernel's enum iscsi_param, which
/// counts up from 0 with no gaps; the members between TARGET_ALIAS and
/// DEF_TIME2WAIT are ones we never set).
enum iscsi_param : uint32_t {
    ISCSI_PARAM_MAX_RECV_DLENGTH = 0,
    ISCSI_PARAM_MAX_XMIT_DLENGTH = 1,
    ISCSI_PARAM_HDRDGST_EN = 2,
    ISCSI_PARAM_DATADGST_EN = 3,
    ISCSI_PARAM_INITIAL_R2T_EN = 4,
    ISCSI_PARAM_MAX_R2T = 5,
    ISCSI_PARAM_IMM_DATA_EN = 6,
    ISCSI_PARAM_FIRST_BURST = 7,
    ISCSI_PARAM_MAX_BURST = 8,
    ISCSI_PARAM_PDU_INORDER_EN = 9,
    ISCSI_PARAM_DATASEQ_INORDER_EN = 10,
    ISCSI_PARAM_ERL = 11,
    ISCSI_PARAM_IFMARKER_EN = 12,
    ISCSI_PARAM_OFMARKER_EN = 13,
    ISCSI_PARAM_EXP_STATSN = 14,
    ISCSI_PARAM_TARGET_NAME = 15,
    ISCSI_PARAM_TPGT = 16,
    ISCSI_PARAM_PERSISTENT_ADDRESS = 17,
    ISCSI_PARAM_PERSISTENT_PORT = 18,
    ISCSI_PARAM_SESS_RECOVERY_TMO = 19,
    ISCSI_PARAM_CONN_PORT = 20,
    ISCSI_PARAM_CONN_ADDRESS = 21,
    ISCSI_PARAM_USERNAME = 22,
    ISCSI_PARAM_USERNAME_IN = 23,
    ISCSI_PARAM_PASSWORD = 24,
    ISCSI_PARAM_PASSWORD_IN = 25,
    ISCSI_PARAM_FAST_ABORT = 26,
    ISCSI_PARAM_ABORT_TMO = 27,
    ISCSI_PARAM_LU_RESET_TMO = 28,
    ISCSI_PARAM_HOST_RESET_TMO = 29,
    ISCSI_PARAM_PING_TMO = 30,
    ISCSI_PARAM_RECV_TMO = 31,
    ISCSI_PARAM_IFACE_NAME = 32,
    ISCSI_PARAM_ISID = 33,
    ISCSI_PARAM_INITIATOR_NAME = 34,
    ISCSI_PARAM_TGT_RESET_TMO = 35,
    ISCSI_PARAM_TARGET_ALIAS = 36,
    ISCSI_PARAM_DEF_TIME2WAIT = 49,
    ISCSI_PARAM_DEF_TIME2RETAIN = 50,
};

/// The fixed header of every NETLINK_ISCSI message, both ways. A request
/// fills `u`; the kernel answers in `r` (or, refusing it, with type
/// ISCSI_KEVENT_IF_ERROR and a negative errno in `iferror`), and its
/// unicast answer echoes our `u`.
struct iscsi_uevent {
    uint32_t type;     // enum iscsi_uevent_e
    uint32_t iferror;  // negative errno from the kernel
    uint64_t transport_handle;
    union {
        struct {
            uint32_t initial_cmdsn;
            uint16_t cmds_max;
            uint16_t queue_depth;
        } c_session;
        struct {
            uint32_t sid;
        } d_session;
        struct {
            uint32_t sid;
            uint32_t cid;
        } c_conn, d_conn, start_conn, get_stats;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint64_t transport_eph;
            uint32_t is_leading;
        } b_conn;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint32_t param; // enum iscsi_param; the value (len bytes) follows the message
            uint32_t len;
        } set_param;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint64_t conn_handle;
            uint32_t flag; // STOP_CONN_*
        } stop_conn;
    } u;
    union {
        int32_t retcode;
        struct {
            uint32_t sid;
            uint32_t host_no;
        } c_session_ret;
        struct {
            uint32_t sid;
            uint32_t cid;
        } c_conn_ret;
        struct {
            uint32_t sid;
            uint32_t host_no;
        } unbind_session;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint64_t recv_handle;
        } recv_req;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint32_t state; // enum iscsi_conn_state
        } conn_login;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint32_t error; // enum iscsi_err
        } connerror;
        struct {
            uint32_t host_no;
            uint32_t sid;
        } d_session;
    } r;
} __attribute__((aligned(8)));

/// The fixed part of the kernel's struct iscsi_stats, which follows the
/// iscsi_uevent in a GET_STATS reply (then custom_length entries of 72
/// bytes each, which we do not read).
struct iscsi_stats {
    uint64_t txdata_octets;
    uint64_t rxdata_octets;
    // PDUs sent
    uint32_t noptx_pdus;
    uint32_t scsicmd_pdus;
    uint32_t tmfcmd_pdus;
    uint32_t login_pdus;
    uint32_t text_pdus;
    uint32_t dataout_pdus;
    uint32_t logout_pdus;
    uint32_t snack_pdus;
    // PDUs received
    uint32_t noprx_pdus;
    uint32_t scsirsp_pdus;
    uint32_t tmfrsp_pdus;
    uint32_t textrsp_pdus;
    uint32_t datain_pdus;
    uint32_t logoutrsp_pdus;
    uint32_t r2t_pdus;
    uint32_t async_pdus;
    uint32_t rjt_pdus;
    // errors
    uint32_t digest_err;
    uint32_t timeout_err;
    uint32_t custom_length;
} __attribute__((aligned(8)));

// struct iscsi_uevent: 8 bytes of header, then u (24), then r (16).
static_assert(sizeof(iscsi_uevent) == 56, "struct iscsi_uevent is 56 bytes");
static_assert(sizeof(iscsi_uevent::u) == 24, "iscsi_uevent.u is 24 bytes");
static_assert(sizeof(iscsi_uevent::r) == 16, "iscsi_uevent.r is 16 bytes");
static_assert(offsetof(iscsi_uevent, type) == 0);
static_assert(offsetof(iscsi_uevent, iferror) == 4);
static_assert(offsetof(iscsi_uevent, transport_handle) == 8);
static_assert(offsetof(iscsi_uevent, u) == 16);
static_assert(offsetof(iscsi_uevent, r) == 40);
// Requests (u).
static_assert(offsetof(iscsi_uevent, u.c_session.initial_cmdsn) == 16);
static_assert(offsetof(iscsi_uevent, u.c_session.cmds_max) == 20);
static_assert(offsetof(iscsi_uevent, u.c_session.queue_depth) == 22);
static_assert(offsetof(iscsi_uevent, u.d_session.sid) == 16);
static_assert(offsetof(iscsi_uevent, u.c_conn.sid) == 16 && offsetof(iscsi_uevent, u.c_conn.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.d_conn.sid) == 16 && offsetof(iscsi_uevent, u.d_conn.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.start_conn.sid) == 16 && offsetof(iscsi_uevent, u.start_conn.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.get_stats.sid) == 16 && offsetof(iscsi_uevent, u.get_stats.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.b_conn.sid) == 16 && offsetof(iscsi_uevent, u.b_conn.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.b_conn.transport_eph) == 24);
static_assert(offsetof(iscsi_uevent, u.b_conn.is_leading) == 32);
static_assert(offsetof(iscsi_uevent, u.set_param.sid) == 16 && offsetof(iscsi_uevent, u.set_param.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.set_param.param) == 24);
static_assert(offsetof(iscsi_uevent, u.set_param.len) == 28);
static_assert(offsetof(iscsi_uevent, u.stop_conn.sid) == 16 && offsetof(iscsi_uevent, u.stop_conn.cid) == 20);
static_assert(offsetof(iscsi_uevent, u.stop_conn.conn_handle) == 24);
static_assert(offsetof(iscsi_uevent, u.stop_conn.flag) == 32);
// Replies and events (r).
static_assert(offsetof(iscsi_uevent, r.retcode) == 40);
static_assert(offsetof(iscsi_uevent, r.c_session_ret.sid) == 40);
static_assert(offsetof(iscsi_uevent, r.c_session_ret.host_no) == 44);
static_assert(offsetof(iscsi_uevent, r.c_conn_ret.sid) == 40 && offsetof(iscsi_uevent, r.c_conn_ret.cid) == 44);
static_assert(offsetof(iscsi_uevent, r.unbind_session.sid) == 40);
static_assert(offsetof(iscsi_uevent, r.unbind_session.host_no) == 44);
static_assert(offsetof(iscsi_uevent, r.recv_req.recv_handle) == 48);
static_assert(offsetof(iscsi_uevent, r.conn_login.sid) == 40 && offsetof(iscsi_uevent, r.conn_login.cid) == 44);
static_assert(offsetof(iscsi_uevent, r.conn_login.state) == 48);
static_assert(offsetof(iscsi_uevent, r.connerror.sid) == 40 && offsetof(iscsi_uevent, r.connerror.cid) == 44);
static_assert(offsetof(iscsi_uevent, r.connerror.error) == 48);
static_assert(offsetof(iscsi_uevent, r.d_session.host_no) == 40);
static_assert(offsetof(iscsi_uevent, r.d_session.sid) == 44);
// struct iscsi_stats: two u64 octet counters, then u32 PDU counters.
static_assert(sizeof(iscsi_stats) == 96, "struct iscsi_stats (without custom[]) is 96 bytes");
static_assert(offsetof(iscsi_stats, noptx_pdus) == 16);
static_assert(offsetof(iscsi_stats, scsicmd_pdus) == 20);
static_assert(offsetof(iscsi_stats, timeout_err) == 88);
static_assert(offsetof(iscsi_stats, custom_length) == 92);

} // namespace isr::kabi
