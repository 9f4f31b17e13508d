#include "boot_session.hpp"

#include "kernel/handoff.hpp"
#include "kernel/modules.hpp"
#include "kernel/netlink.hpp"
#include "kernel/sysfs.hpp"
#include "kernel/uevent.hpp"
#include "login/client.hpp"
#include "session_exists.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <memory>
#include <sys/utsname.h>

namespace isr {
namespace {

using namespace isr::kabi;

constexpr uint32_t INITIAL_CMDSN = 1;

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

uint64_t prepare_kernel()
{
    const uint64_t handle = kernel::tcp_transport_handle();
    // sd_mod gives us /dev/sdX; crc32c is what iscsi_tcp asks the crypto
    // API for. Both are best effort: they may be built in. crc32c is often
    // there already (ext4 and btrfs want it too): the alias's first
    // candidate, crc32c-intel, fails on CPUs without SSE4.2 after its load.
    // crc64-rocksoft first: sd_mod's t10-pi asks the crypto API for it,
    // and the kernel would otherwise spawn modprobe for it in the middle
    // (best effort and quiet: kernels before 6.0 have no such algorithm).
    std::string ignored;
    if (!kernel::crypto_present("crc64-rocksoft"))
        kernel::load_module("crypto-crc64-rocksoft", &ignored);
    kernel::load_module("sd_mod");
    if (!kernel::crypto_present("crc32c"))
        kernel::load_module("crc32c");
    return handle;
}

std::vector<std::string> boot_session(const SessionConfig &cfg, BootSession *keep,
                                      const std::function<void()> &before_scan)
{
    SessionConfig o = cfg;
    if (o.login.initiator_alias.empty())
        o.login.initiator_alias = initiator_alias();

    const uint64_t handle = prepare_kernel();
    log::info("transport iscsi_tcp ready (handle %llu)", (unsigned long long)handle);

    // One session per target and portal: held until the kernel has ours.
    const kernel::SessionKey key{o.login.target_name, o.portal.host, o.portal.port, o.login.tpgt};
    LoginLock lock(key);
    check_existing_session(key,
                           {o.session.login_timeout_s * 1000, o.session.disk_timeout_s * 1000, o.session.scan, o.session.lun});
    auto nl = std::make_unique<kernel::IscsiNetlink>(handle);
    auto ids = nl->create_session(INITIAL_CMDSN, (uint16_t)o.session.cmds_max, (uint16_t)o.session.queue_depth);
    bool conn_created = false;
    log::info("kernel session %u created (host%u)", ids.sid, ids.host_no);
    pdu::Isid isid = random_isid();
    uint16_t tsih = 0, local_port = 0;
    try {
        nl->create_conn(ids.sid, 0);
        conn_created = true;
        // The only parameter the kernel takes before BIND_CONN (since Linux
        // 5.18 the others fail with ENOTCONN until the connection is bound).
        kernel::set_session_param(*nl, ids.sid, ISCSI_PARAM_SESS_RECOVERY_TMO, o.session.replacement_timeout_s,
                                  "SESS_RECOVERY_TMO");

        log::info("logging in to %s at %s:%u", o.login.target_name.c_str(), o.portal.host.c_str(), o.portal.port);
        LoginResult lr = login_with_retries(o, isid, INITIAL_CMDSN);
        tsih = lr.neg.tsih;
        local_port = lr.sock.local_port();
        log::info("logged in (TSIH %u, TPGT %d%s)", lr.neg.tsih, lr.neg.tpgt, o.login.auth.chap() ? ", CHAP" : "");
        kernel::hand_over(*nl, ids.sid, o, isid, lr);
        lock.release();
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
    if (before_scan)
        before_scan();
    if (!o.session.scan)
        return {};
    return scan_for_disks(ids.host_no, ids.sid, o.session);
}

std::vector<std::string> scan_for_disks(uint32_t host_no, uint32_t sid, const SessionSettings &s)
{
    kernel::scan_host(host_no);
    auto disks = kernel::wait_for_disks(sid, s.disk_timeout_s * 1000, s.lun);
    if (disks.empty())
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "scan: logged in, but no disk " +
                                                 (s.lun >= 0 ? "with LUN " + std::to_string(s.lun) + " " : std::string()) +
                                                 "appeared on host" + std::to_string(host_no) + " within " +
                                                 std::to_string(s.disk_timeout_s) + " s");
    for (const auto &d : disks)
        log::info("disk ready: %s", d.c_str());
    return disks;
}

} // namespace isr
