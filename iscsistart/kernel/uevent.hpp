// Our own definition of the NETLINK_ISCSI message ABI, written from the
// kernel's include/scsi/iscsi_if.h (struct iscsi_uevent, enum
// iscsi_uevent_e, enum iscsi_param). Only the members we use are named;
// the unions keep the kernel's sizes, which the static_asserts pin.
#pragma once

#include <cstddef>
#include <cstdint>

namespace isr::kabi {

constexpr int NETLINK_ISCSI = 8;
constexpr uint32_t ISCSI_NL_GRP_ISCSID = 1;

enum iscsi_uevent_e : uint32_t {
    ISCSI_UEVENT_CREATE_SESSION = 11,
    ISCSI_UEVENT_DESTROY_SESSION = 12,
    ISCSI_UEVENT_CREATE_CONN = 13,
    ISCSI_UEVENT_DESTROY_CONN = 14,
    ISCSI_UEVENT_BIND_CONN = 15,
    ISCSI_UEVENT_SET_PARAM = 16,
    ISCSI_UEVENT_START_CONN = 17,
    ISCSI_UEVENT_STOP_CONN = 18,
    ISCSI_UEVENT_GET_STATS = 20,
    // Events the kernel multicasts to ISCSI_NL_GRP_ISCSID.
    ISCSI_KEVENT_RECV_PDU = 101,
    ISCSI_KEVENT_CONN_ERROR = 102,
    ISCSI_KEVENT_IF_ERROR = 103,
    ISCSI_KEVENT_DESTROY_SESSION = 104,
    ISCSI_KEVENT_UNBIND_SESSION = 105,
    ISCSI_KEVENT_CREATE_SESSION = 106,
    ISCSI_KEVENT_CONN_LOGIN_STATE = 107,
};

/// ISCSI_UEVENT_STOP_CONN flags (the kernel's STOP_CONN_*).
enum iscsi_stop_conn_flag : uint32_t {
    STOP_CONN_TERM = 0x1,
    STOP_CONN_SUSPEND = 0x2,
    STOP_CONN_RECOVER = 0x3,
};

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

struct iscsi_uevent {
    uint32_t type;
    uint32_t iferror; // negative errno from the kernel
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
            uint32_t param;
            uint32_t len;
        } set_param;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint64_t conn_handle;
            uint32_t flag;
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
            uint32_t cid;
            uint64_t recv_handle;
        } recv_req;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint32_t error; // enum iscsi_err (ISCSI_ERR_BASE + n)
        } connerror;
        struct {
            uint32_t sid;
            uint32_t cid;
            uint32_t state; // enum iscsi_conn_state
        } conn_login;
        struct {
            uint32_t host_no;
            uint32_t sid;
        } d_session;
        struct {
            uint32_t sid;
            uint32_t host_no;
        } unbind_session;
    } r;
} __attribute__((aligned(8)));

/// Offset of scsicmd_pdus (SCSI Command PDUs sent) in the kernel's struct
/// iscsi_stats, which follows the iscsi_uevent in a GET_STATS reply: two
/// u64 octet counters, then noptx_pdus, then scsicmd_pdus.
constexpr std::size_t ISCSI_STATS_SCSICMD_PDUS_OFFSET = 20;

static_assert(sizeof(iscsi_uevent::u) == 24, "iscsi_uevent.u must match the kernel (24 bytes)");
static_assert(sizeof(iscsi_uevent::r) == 16, "iscsi_uevent.r must match the kernel (16 bytes)");
static_assert(sizeof(iscsi_uevent) == 56, "struct iscsi_uevent must match the kernel (56 bytes)");

} // namespace isr::kabi
