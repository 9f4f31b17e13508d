#include "handoff.hpp"

#include "uevent.hpp"

#include <string>

namespace isr::kernel {
namespace {

using namespace isr::kabi;

// SET_PARAM on connection 0 of `sid`: session parameters go through
// connection 0 too (the kernel's iscsi_if_set_param looks both up).
struct Params {
    IscsiNetlink &nl;
    uint32_t sid;

    void set(uint32_t param, std::string_view v, const char *what) { nl.set_param(sid, 0, param, v, what); }
    void set(uint32_t param, long v, const char *what) { set(param, std::string_view(std::to_string(v)), what); }
};

} // namespace

void set_session_param(IscsiNetlink &nl, uint32_t sid, uint32_t param, long value, const char *what)
{
    Params{nl, sid}.set(param, value, what);
}

void hand_over(IscsiNetlink &nl, uint32_t sid, const SessionConfig &o, const pdu::Isid &isid,
               const LoginResult &lr)
{
    const Negotiated &n = lr.neg;
    const auto &a = o.login.auth;
    Params h{nl, sid};
    nl.bind_conn(sid, 0, lr.sock.fd(), true);
    // Identity, credentials (kept by the kernel for a later iscsid to
    // re-login with, readable by root only) and timeouts.
    h.set(ISCSI_PARAM_TARGET_NAME, o.login.target_name, "TARGET_NAME");
    h.set(ISCSI_PARAM_INITIATOR_NAME, o.login.initiator_name, "INITIATOR_NAME");
    h.set(ISCSI_PARAM_ISID, pdu::isid_hex(isid), "ISID");
    h.set(ISCSI_PARAM_IFACE_NAME, "default", "IFACE_NAME");
    h.set(ISCSI_PARAM_PING_TMO, o.session.noop_out_timeout_s, "PING_TMO");
    h.set(ISCSI_PARAM_RECV_TMO, o.session.noop_out_interval_s, "RECV_TMO");
    if (!a.username.empty())
        h.set(ISCSI_PARAM_USERNAME, a.username, "USERNAME");
    if (!a.password.empty())
        h.set(ISCSI_PARAM_PASSWORD, a.password.reveal(), "PASSWORD");
    if (!a.username_in.empty())
        h.set(ISCSI_PARAM_USERNAME_IN, a.username_in, "USERNAME_IN");
    if (!a.password_in.empty())
        h.set(ISCSI_PARAM_PASSWORD_IN, a.password_in.reveal(), "PASSWORD_IN");
    // The configured portal, also after a redirect (the kernel reads the
    // connection's current address from the socket): what open-iscsi's
    // node records and session matching, and our one-session-per-target
    // check (kernel/sessions.cpp), compare.
    h.set(ISCSI_PARAM_PERSISTENT_ADDRESS, o.portal.host, "PERSISTENT_ADDRESS");
    h.set(ISCSI_PARAM_PERSISTENT_PORT, o.portal.port, "PERSISTENT_PORT");
    // What the login negotiated.
    h.set(ISCSI_PARAM_MAX_RECV_DLENGTH, n.max_recv_dlength, "MAX_RECV_DLENGTH");
    h.set(ISCSI_PARAM_MAX_XMIT_DLENGTH, n.max_xmit_dlength, "MAX_XMIT_DLENGTH");
    h.set(ISCSI_PARAM_HDRDGST_EN, n.header_digest, "HDRDGST_EN");
    h.set(ISCSI_PARAM_DATADGST_EN, n.data_digest, "DATADGST_EN");
    h.set(ISCSI_PARAM_INITIAL_R2T_EN, n.initial_r2t, "INITIAL_R2T_EN");
    h.set(ISCSI_PARAM_MAX_R2T, n.max_outstanding_r2t, "MAX_R2T");
    h.set(ISCSI_PARAM_IMM_DATA_EN, n.immediate_data, "IMM_DATA_EN");
    h.set(ISCSI_PARAM_FIRST_BURST, n.first_burst, "FIRST_BURST");
    h.set(ISCSI_PARAM_MAX_BURST, n.max_burst, "MAX_BURST");
    h.set(ISCSI_PARAM_PDU_INORDER_EN, n.data_pdu_in_order, "PDU_INORDER_EN");
    h.set(ISCSI_PARAM_DATASEQ_INORDER_EN, n.data_sequence_in_order, "DATASEQ_INORDER_EN");
    h.set(ISCSI_PARAM_ERL, n.error_recovery_level, "ERL");
    h.set(ISCSI_PARAM_IFMARKER_EN, 0, "IFMARKER_EN");
    h.set(ISCSI_PARAM_OFMARKER_EN, 0, "OFMARKER_EN");
    h.set(ISCSI_PARAM_DEF_TIME2WAIT, n.default_time2wait, "DEF_TIME2WAIT");
    h.set(ISCSI_PARAM_DEF_TIME2RETAIN, n.default_time2retain, "DEF_TIME2RETAIN");
    h.set(ISCSI_PARAM_EXP_STATSN, (long)n.exp_statsn, "EXP_STATSN");
    h.set(ISCSI_PARAM_TPGT, n.tpgt >= 0 ? n.tpgt : (o.login.tpgt >= 0 ? o.login.tpgt : 1), "TPGT");
    if (!n.target_alias.empty())
        h.set(ISCSI_PARAM_TARGET_ALIAS, n.target_alias, "TARGET_ALIAS");
    nl.start_conn(sid, 0);
}

} // namespace isr::kernel
