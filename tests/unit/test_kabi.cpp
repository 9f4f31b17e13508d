// The NETLINK_ISCSI ABI of iscsistart/kernel/uevent.hpp against the
// kernel's numbers. Every number on the right-hand side below is a fact
// copied by hand from the Linux 6.1 headers (the guest kernel's,
// linux-headers-6.1.0-57-common): include/scsi/iscsi_if.h and
// include/uapi/linux/netlink.h. They are written out literally, never
// derived from our constants, so a wrong constant cannot agree with
// itself. Offsets are from the start of struct iscsi_uevent (x86-64 and
// every other Linux ABI alike: the struct is 8-byte aligned with no
// pointer-sized members).
#include "test_util.hpp"

#include "../../iscsistart/kernel/kevent.hpp"
#include "../../iscsistart/kernel/uevent.hpp"

#include <cstddef>
#include <cstring>
#include <vector>

using namespace isr;
namespace k = isr::kabi;

static void netlink_family_and_group(void **)
{
    assert_int_equal(NETLINK_ISCSI, 8);            // linux/netlink.h
    assert_int_equal(k::ISCSI_NL_GRP_ISCSID, 1);   // iscsi_if.h
    assert_int_equal(k::UEVENT_BASE, 10);
    assert_int_equal(k::KEVENT_BASE, 100);
    assert_int_equal(k::ISCSI_ERR_BASE, 1000);
}

// enum iscsi_uevent_e, "down events": the requests we send.
static void requests(void **)
{
    assert_int_equal(k::ISCSI_UEVENT_UNKNOWN, 0);
    assert_int_equal(k::ISCSI_UEVENT_CREATE_SESSION, 11);
    assert_int_equal(k::ISCSI_UEVENT_DESTROY_SESSION, 12);
    assert_int_equal(k::ISCSI_UEVENT_CREATE_CONN, 13);
    assert_int_equal(k::ISCSI_UEVENT_DESTROY_CONN, 14);
    assert_int_equal(k::ISCSI_UEVENT_BIND_CONN, 15);
    assert_int_equal(k::ISCSI_UEVENT_SET_PARAM, 16);
    assert_int_equal(k::ISCSI_UEVENT_START_CONN, 17);
    assert_int_equal(k::ISCSI_UEVENT_STOP_CONN, 18);
    assert_int_equal(k::ISCSI_UEVENT_SEND_PDU, 19);
    assert_int_equal(k::ISCSI_UEVENT_GET_STATS, 20);
}

// enum iscsi_uevent_e, "up events": what the kernel sends us.
static void events(void **)
{
    assert_int_equal(k::ISCSI_KEVENT_RECV_PDU, 101);
    assert_int_equal(k::ISCSI_KEVENT_CONN_ERROR, 102);
    assert_int_equal(k::ISCSI_KEVENT_IF_ERROR, 103);
    assert_int_equal(k::ISCSI_KEVENT_DESTROY_SESSION, 104);
    assert_int_equal(k::ISCSI_KEVENT_UNBIND_SESSION, 105);
    assert_int_equal(k::ISCSI_KEVENT_CREATE_SESSION, 106);
    assert_int_equal(k::ISCSI_KEVENT_PATH_REQ, 107);
    assert_int_equal(k::ISCSI_KEVENT_IF_DOWN, 108);
    assert_int_equal(k::ISCSI_KEVENT_CONN_LOGIN_STATE, 109);
    assert_int_equal(k::ISCSI_KEVENT_HOST_EVENT, 110);
    assert_int_equal(k::ISCSI_KEVENT_PING_COMP, 111);
}

// One event record as the kernel multicasts it (nlmsg_type 0).
static std::vector<uint8_t> event_record(uint32_t type, uint32_t sid, uint32_t cid, uint32_t value)
{
    uint8_t ev[56] = {};
    memcpy(ev + 0, &type, 4);   // type
    memcpy(ev + 40, &sid, 4);   // r.conn_login.sid / r.connerror.sid
    memcpy(ev + 44, &cid, 4);   // r.conn_login.cid / r.connerror.cid
    memcpy(ev + 48, &value, 4); // r.conn_login.state / r.connerror.error
    std::vector<uint8_t> rec(16 + sizeof ev, 0);
    uint32_t len = (uint32_t)rec.size();
    memcpy(rec.data(), &len, 4); // nlmsg_len
    memcpy(rec.data() + 16, ev, sizeof ev);
    return rec;
}

// The event numbers as the parser sees them, built from raw bytes.
static void events_by_number(void **)
{
    auto r = event_record(109, 3, 0, 3); // CONN_LOGIN_STATE, ISCSI_CONN_STATE_LOGGED_IN
    auto evs = kernel::parse_kevents(r.data(), r.size());
    assert_int_equal(evs.size(), 1);
    assert_true(evs[0].kind == kernel::KEvent::Kind::CONN_LOGIN_STATE);
    assert_int_equal(evs[0].sid, 3);
    assert_int_equal(evs[0].value, 3);

    r = event_record(107, 3, 0, 0); // PATH_REQ: not a login state
    evs = kernel::parse_kevents(r.data(), r.size());
    assert_int_equal(evs.size(), 1);
    assert_true(evs[0].kind == kernel::KEvent::Kind::OTHER);

    r = event_record(102, 4, 0, 1020); // CONN_ERROR, ISCSI_ERR_TCP_CONN_CLOSE
    evs = kernel::parse_kevents(r.data(), r.size());
    assert_int_equal(evs.size(), 1);
    assert_true(evs[0].kind == kernel::KEvent::Kind::CONN_ERROR);
    assert_int_equal(evs[0].sid, 4);
    assert_int_equal(evs[0].value, 1020);

    r = event_record(103, 4, 0, 0); // IF_ERROR is an answer, not an event
    assert_int_equal(kernel::parse_kevents(r.data(), r.size()).size(), 0);
}

// #define STOP_CONN_*.
static void stop_conn_flags(void **)
{
    assert_int_equal(k::STOP_CONN_TERM, 0x1);
    assert_int_equal(k::STOP_CONN_SUSPEND, 0x2);
    assert_int_equal(k::STOP_CONN_RECOVER, 0x3);
}

// enum iscsi_conn_state and enum iscsi_err.
static void states_and_errors(void **)
{
    assert_int_equal(k::ISCSI_CONN_STATE_FREE, 0);
    assert_int_equal(k::ISCSI_CONN_STATE_XPT_WAIT, 1);
    assert_int_equal(k::ISCSI_CONN_STATE_IN_LOGIN, 2);
    assert_int_equal(k::ISCSI_CONN_STATE_LOGGED_IN, 3);
    assert_int_equal(k::ISCSI_CONN_STATE_IN_LOGOUT, 4);
    assert_int_equal(k::ISCSI_CONN_STATE_LOGOUT_REQUESTED, 5);
    assert_int_equal(k::ISCSI_CONN_STATE_CLEANUP_WAIT, 6);

    assert_int_equal(k::ISCSI_OK, 0);
    assert_int_equal(k::ISCSI_ERR_DATASN, 1001);
    assert_int_equal(k::ISCSI_ERR_DATA_OFFSET, 1002);
    assert_int_equal(k::ISCSI_ERR_MAX_CMDSN, 1003);
    assert_int_equal(k::ISCSI_ERR_EXP_CMDSN, 1004);
    assert_int_equal(k::ISCSI_ERR_BAD_OPCODE, 1005);
    assert_int_equal(k::ISCSI_ERR_DATALEN, 1006);
    assert_int_equal(k::ISCSI_ERR_AHSLEN, 1007);
    assert_int_equal(k::ISCSI_ERR_PROTO, 1008);
    assert_int_equal(k::ISCSI_ERR_LUN, 1009);
    assert_int_equal(k::ISCSI_ERR_BAD_ITT, 1010);
    assert_int_equal(k::ISCSI_ERR_CONN_FAILED, 1011);
    assert_int_equal(k::ISCSI_ERR_R2TSN, 1012);
    assert_int_equal(k::ISCSI_ERR_SESSION_FAILED, 1013);
    assert_int_equal(k::ISCSI_ERR_HDR_DGST, 1014);
    assert_int_equal(k::ISCSI_ERR_DATA_DGST, 1015);
    assert_int_equal(k::ISCSI_ERR_PARAM_NOT_FOUND, 1016);
    assert_int_equal(k::ISCSI_ERR_NO_SCSI_CMD, 1017);
    assert_int_equal(k::ISCSI_ERR_INVALID_HOST, 1018);
    assert_int_equal(k::ISCSI_ERR_XMIT_FAILED, 1019);
    assert_int_equal(k::ISCSI_ERR_TCP_CONN_CLOSE, 1020);
    assert_int_equal(k::ISCSI_ERR_SCSI_EH_SESSION_RST, 1021);
    assert_int_equal(k::ISCSI_ERR_NOP_TIMEDOUT, 1022);

    assert_string_equal(kernel::conn_error_name(1001), "DATASN");
    assert_string_equal(kernel::conn_error_name(1011), "CONN_FAILED");
    assert_string_equal(kernel::conn_error_name(1020), "TCP_CONN_CLOSE");
    assert_string_equal(kernel::conn_error_name(1022), "NOP_TIMEDOUT");
    assert_string_equal(kernel::conn_error_name(1023), "unknown error");
    assert_string_equal(kernel::conn_error_name(1000), "unknown error");
}

// enum iscsi_param: every one we name (it counts from 0 with no gaps).
static void params(void **)
{
    assert_int_equal(k::ISCSI_PARAM_MAX_RECV_DLENGTH, 0);
    assert_int_equal(k::ISCSI_PARAM_MAX_XMIT_DLENGTH, 1);
    assert_int_equal(k::ISCSI_PARAM_HDRDGST_EN, 2);
    assert_int_equal(k::ISCSI_PARAM_DATADGST_EN, 3);
    assert_int_equal(k::ISCSI_PARAM_INITIAL_R2T_EN, 4);
    assert_int_equal(k::ISCSI_PARAM_MAX_R2T, 5);
    assert_int_equal(k::ISCSI_PARAM_IMM_DATA_EN, 6);
    assert_int_equal(k::ISCSI_PARAM_FIRST_BURST, 7);
    assert_int_equal(k::ISCSI_PARAM_MAX_BURST, 8);
    assert_int_equal(k::ISCSI_PARAM_PDU_INORDER_EN, 9);
    assert_int_equal(k::ISCSI_PARAM_DATASEQ_INORDER_EN, 10);
    assert_int_equal(k::ISCSI_PARAM_ERL, 11);
    assert_int_equal(k::ISCSI_PARAM_IFMARKER_EN, 12);
    assert_int_equal(k::ISCSI_PARAM_OFMARKER_EN, 13);
    assert_int_equal(k::ISCSI_PARAM_EXP_STATSN, 14);
    assert_int_equal(k::ISCSI_PARAM_TARGET_NAME, 15);
    assert_int_equal(k::ISCSI_PARAM_TPGT, 16);
    assert_int_equal(k::ISCSI_PARAM_PERSISTENT_ADDRESS, 17);
    assert_int_equal(k::ISCSI_PARAM_PERSISTENT_PORT, 18);
    assert_int_equal(k::ISCSI_PARAM_SESS_RECOVERY_TMO, 19);
    assert_int_equal(k::ISCSI_PARAM_CONN_PORT, 20);
    assert_int_equal(k::ISCSI_PARAM_CONN_ADDRESS, 21);
    assert_int_equal(k::ISCSI_PARAM_USERNAME, 22);
    assert_int_equal(k::ISCSI_PARAM_USERNAME_IN, 23);
    assert_int_equal(k::ISCSI_PARAM_PASSWORD, 24);
    assert_int_equal(k::ISCSI_PARAM_PASSWORD_IN, 25);
    assert_int_equal(k::ISCSI_PARAM_FAST_ABORT, 26);
    assert_int_equal(k::ISCSI_PARAM_ABORT_TMO, 27);
    assert_int_equal(k::ISCSI_PARAM_LU_RESET_TMO, 28);
    assert_int_equal(k::ISCSI_PARAM_HOST_RESET_TMO, 29);
    assert_int_equal(k::ISCSI_PARAM_PING_TMO, 30);
    assert_int_equal(k::ISCSI_PARAM_RECV_TMO, 31);
    assert_int_equal(k::ISCSI_PARAM_IFACE_NAME, 32);
    assert_int_equal(k::ISCSI_PARAM_ISID, 33);
    assert_int_equal(k::ISCSI_PARAM_INITIATOR_NAME, 34);
    assert_int_equal(k::ISCSI_PARAM_TGT_RESET_TMO, 35);
    assert_int_equal(k::ISCSI_PARAM_TARGET_ALIAS, 36);
    assert_int_equal(k::ISCSI_PARAM_DEF_TIME2WAIT, 49);
    assert_int_equal(k::ISCSI_PARAM_DEF_TIME2RETAIN, 50);
}

// struct iscsi_uevent: 56 bytes; u at 16 (24 bytes), r at 40 (16 bytes).
static void uevent_layout(void **)
{
    using E = k::iscsi_uevent;
    assert_int_equal(sizeof(E), 56);
    assert_int_equal(alignof(E), 8);
    assert_int_equal(sizeof(E::u), 24);
    assert_int_equal(sizeof(E::r), 16);
    assert_int_equal(offsetof(E, type), 0);
    assert_int_equal(offsetof(E, iferror), 4);
    assert_int_equal(offsetof(E, transport_handle), 8);
    assert_int_equal(offsetof(E, u), 16);
    assert_int_equal(offsetof(E, r), 40);
    // Requests we write.
    assert_int_equal(offsetof(E, u.c_session.initial_cmdsn), 16);
    assert_int_equal(offsetof(E, u.c_session.cmds_max), 20);
    assert_int_equal(offsetof(E, u.c_session.queue_depth), 22);
    assert_int_equal(offsetof(E, u.d_session.sid), 16);
    assert_int_equal(offsetof(E, u.c_conn.sid), 16);
    assert_int_equal(offsetof(E, u.c_conn.cid), 20);
    assert_int_equal(offsetof(E, u.d_conn.sid), 16);
    assert_int_equal(offsetof(E, u.d_conn.cid), 20);
    assert_int_equal(offsetof(E, u.b_conn.sid), 16);
    assert_int_equal(offsetof(E, u.b_conn.cid), 20);
    assert_int_equal(offsetof(E, u.b_conn.transport_eph), 24);
    assert_int_equal(offsetof(E, u.b_conn.is_leading), 32);
    assert_int_equal(offsetof(E, u.set_param.sid), 16);
    assert_int_equal(offsetof(E, u.set_param.cid), 20);
    assert_int_equal(offsetof(E, u.set_param.param), 24);
    assert_int_equal(offsetof(E, u.set_param.len), 28);
    assert_int_equal(offsetof(E, u.start_conn.sid), 16);
    assert_int_equal(offsetof(E, u.start_conn.cid), 20);
    assert_int_equal(offsetof(E, u.stop_conn.sid), 16);
    assert_int_equal(offsetof(E, u.stop_conn.cid), 20);
    assert_int_equal(offsetof(E, u.stop_conn.conn_handle), 24);
    assert_int_equal(offsetof(E, u.stop_conn.flag), 32);
    assert_int_equal(offsetof(E, u.get_stats.sid), 16);
    assert_int_equal(offsetof(E, u.get_stats.cid), 20);
    // Answers and events we read.
    assert_int_equal(offsetof(E, r.retcode), 40);
    assert_int_equal(sizeof(E::r.retcode), 4);
    assert_int_equal(offsetof(E, r.c_session_ret.sid), 40);
    assert_int_equal(offsetof(E, r.c_session_ret.host_no), 44);
    assert_int_equal(offsetof(E, r.c_conn_ret.sid), 40);
    assert_int_equal(offsetof(E, r.c_conn_ret.cid), 44);
    assert_int_equal(offsetof(E, r.unbind_session.sid), 40);
    assert_int_equal(offsetof(E, r.unbind_session.host_no), 44);
    assert_int_equal(offsetof(E, r.recv_req.sid), 40);
    assert_int_equal(offsetof(E, r.recv_req.cid), 44);
    assert_int_equal(offsetof(E, r.recv_req.recv_handle), 48);
    assert_int_equal(offsetof(E, r.conn_login.sid), 40);
    assert_int_equal(offsetof(E, r.conn_login.cid), 44);
    assert_int_equal(offsetof(E, r.conn_login.state), 48);
    assert_int_equal(offsetof(E, r.connerror.sid), 40);
    assert_int_equal(offsetof(E, r.connerror.cid), 44);
    assert_int_equal(offsetof(E, r.connerror.error), 48);
    assert_int_equal(offsetof(E, r.d_session.host_no), 40); // host_no first here, unlike the others
    assert_int_equal(offsetof(E, r.d_session.sid), 44);
}

// struct iscsi_stats, the body of a GET_STATS answer (without custom[]).
static void stats_layout(void **)
{
    using S = k::iscsi_stats;
    assert_int_equal(sizeof(S), 96);
    assert_int_equal(offsetof(S, txdata_octets), 0);
    assert_int_equal(offsetof(S, rxdata_octets), 8);
    assert_int_equal(offsetof(S, noptx_pdus), 16);
    assert_int_equal(offsetof(S, scsicmd_pdus), 20);
    assert_int_equal(offsetof(S, tmfcmd_pdus), 24);
    assert_int_equal(offsetof(S, login_pdus), 28);
    assert_int_equal(offsetof(S, snack_pdus), 44);
    assert_int_equal(offsetof(S, noprx_pdus), 48);
    assert_int_equal(offsetof(S, rjt_pdus), 80);
    assert_int_equal(offsetof(S, digest_err), 84);
    assert_int_equal(offsetof(S, timeout_err), 88);
    assert_int_equal(offsetof(S, custom_length), 92);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(netlink_family_and_group),
        cmocka_unit_test(requests),
        cmocka_unit_test(events),
        cmocka_unit_test(events_by_number),
        cmocka_unit_test(stop_conn_flags),
        cmocka_unit_test(states_and_errors),
        cmocka_unit_test(params),
        cmocka_unit_test(uevent_layout),
        cmocka_unit_test(stats_layout),
    };
    return cmocka_run_group_tests_name("kabi", tests, nullptr, nullptr);
}
