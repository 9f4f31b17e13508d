#include "boot_session.hpp"
#include "util/random.hpp"

#include "kernel/modules.hpp"
#include "kernel/netlink.hpp"
#include "kernel/sysfs.hpp"
#include "kernel/uevent.hpp"
#include "login_client.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <memory>
#include <sys/utsname.h>

namespace isr {
namespace {

using namespace isr::kabi;

constexpr uint32_t INITIAL_CMDSN = 1;

struct Handoff {
    kernel::IscsiNetlink &nl;
    uint32_t sid;

    // Session parameters go through connection 0 too (the kernel's
    // iscsi_if_set_param looks both up).
    void set(uint32_t param, std::string_view v, const char *what) { nl.set_param(sid, 0, param, v, what); }
    void set(uint32_t param, long v, const char *what) { set(param, std::string_view(std::to_string(v)), what); }
};

pdu::Isid make_isid()
{
    // RFC 7143 11.12.5: T=10b (random); B and C random, D qualifier 0.
    auto r = random_bytes(3);
    return {0x80, r[0], r[1], r[2], 0x00, 0x00};
}

std::string initiator_alias()
{
    utsname u{};
    if (uname(&u) != 0 || !u.nodename[0] || std::string(u.nodename) == "(none)")
        return {};
    return u.nodename;
}

} // namespace

std::vector<BootSession> &supervised_sessions()
{
    static std::vector<BootSession> sessions;
    return sessions;
}

void hand_over(kernel::IscsiNetlink &nl, uint32_t sid, const SessionConfig &o, const pdu::Isid &isid,
               const LoginResult &lr)
{
    const Negotiated &n = lr.neg;
    const auto &a = o.login.auth;
    Handoff h{nl, sid};
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
    // What the login negotiated.
    h.set(ISCSI_PARAM_PERSISTENT_ADDRESS, lr.portal.host, "PERSISTENT_ADDRESS");
    h.set(ISCSI_PARAM_PERSISTENT_PORT, lr.portal.port, "PERSISTENT_PORT");
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

std::vector<std::string> boot_session(const SessionConfig &cfg, BootSession *keep)
{
    SessionConfig o = cfg;
    if (o.login.initiator_alias.empty())
        o.login.initiator_alias = initiator_alias();

    uint64_t handle = kernel::tcp_transport_handle();
    // sd_mod gives us /dev/sdX; crc32c is what iscsi_tcp asks the crypto
    // API for. Both are best effort: they may be built in.
    kernel::load_module("sd_mod");
    kernel::load_module("crc32c");
    log::info("transport iscsi_tcp ready (handle %llu)", (unsigned long long)handle);

    auto nl = std::make_unique<kernel::IscsiNetlink>(handle);
    auto ids = nl->create_session(INITIAL_CMDSN, (uint16_t)o.session.cmds_max, (uint16_t)o.session.queue_depth);
    bool conn_created = false;
    log::info("kernel session %u created (host%u)", ids.sid, ids.host_no);
    pdu::Isid isid = make_isid();
    uint16_t tsih = 0, local_port = 0;
    try {
        nl->create_conn(ids.sid, 0);
        conn_created = true;
        // The only parameter the kernel takes before BIND_CONN (since Linux
        // 5.18 the others fail with ENOTCONN until the connection is bound).
        Handoff{*nl, ids.sid}.set(ISCSI_PARAM_SESS_RECOVERY_TMO, o.session.replacement_timeout_s,
                                  "SESS_RECOVERY_TMO");

        log::info("logging in to %s at %s:%u", o.login.target_name.c_str(), o.portal.host.c_str(), o.portal.port);
        LoginResult lr = login_with_retries(o, isid, INITIAL_CMDSN);
        tsih = lr.neg.tsih;
        local_port = lr.sock.local_port();
        log::info("logged in (TSIH %u, TPGT %d%s)", lr.neg.tsih, lr.neg.tpgt, o.login.auth.chap() ? ", CHAP" : "");
        hand_over(*nl, ids.sid, o, isid, lr);
        log::info("connection handed to the kernel (session %u)", ids.sid);
    } catch (...) {
        nl->destroy(ids.sid, 0, conn_created);
        throw;
    }
    BootSession registered;
    if (!keep && o.supervise)
        keep = &registered;
    if (keep) {
        keep->nl = std::move(nl);
        keep->sid = ids.sid;
        keep->host_no = ids.host_no;
        keep->isid = isid;
        keep->tsih = tsih;
        keep->local_port = local_port;
        keep->initial_cmdsn = INITIAL_CMDSN;
        keep->config = o;
        if (keep == &registered)
            supervised_sessions().push_back(std::move(registered));
    }

    // From here the session lives in the kernel; failures below leave it
    // running (the disk may still appear later).
    if (!o.session.scan)
        return {};
    kernel::scan_host(ids.host_no);
    auto disks = kernel::wait_for_disks(ids.sid, o.session.disk_timeout_s * 1000);
    if (disks.empty())
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "scan: logged in, but no disk appeared on host" +
                                                 std::to_string(ids.host_no) + " within " +
                                                 std::to_string(o.session.disk_timeout_s) + " s");
    for (const auto &d : disks)
        log::info("disk ready: %s", d.c_str());
    return disks;
}

} // namespace isr
