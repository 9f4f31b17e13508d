#include "netlink.hpp"

#include "uevent.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace isr::kernel {

using namespace isr::kabi;

namespace {

constexpr int REPLY_TIMEOUT_MS = 10000;

[[noreturn]] void fail(const char *what, int err)
{
    throw Error(ISCSI_ERR_INTERNAL, std::string("kernel: ") + what + " failed: " + strerror(err));
}

} // namespace

IscsiNetlink::IscsiNetlink(uint64_t handle) : handle_(handle)
{
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ISCSI);
    if (fd_ < 0) {
        int e = errno;
        if (e == EPERM || e == EACCES)
            throw Error(ISCSI_ERR_ACCESS, "kernel: NETLINK_ISCSI socket not permitted (run as root)");
        throw Error(ISCSI_ERR_TRANS_NOT_FOUND,
                    std::string("kernel: no NETLINK_ISCSI (is scsi_transport_iscsi loaded?): ") + strerror(e));
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    // Join the group iscsid listens on, so the kernel's session events
    // have a listener while we work (else it warns on the console); the
    // reply loop below skips them.
    local.nl_groups = ISCSI_NL_GRP_ISCSID;
    if (bind(fd_, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
        int e = errno;
        close(fd_);
        fd_ = -1;
        fail("netlink bind", e);
    }
}

IscsiNetlink::~IscsiNetlink()
{
    if (fd_ >= 0)
        close(fd_);
}

void IscsiNetlink::call(void *msg, std::size_t len, const char *what, bool check_retcode, void *reply_out,
                       std::vector<uint8_t> *tail)
{
    auto *ev = static_cast<iscsi_uevent *>(msg);
    ev->transport_handle = handle_;
    uint32_t type = ev->type;

    std::vector<uint8_t> buf(NLMSG_SPACE(len), 0);
    auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data());
    nlh->nlmsg_len = NLMSG_LENGTH(len);
    nlh->nlmsg_type = (uint16_t)type;
    nlh->nlmsg_flags = 0;
    nlh->nlmsg_seq = ++seq_;
    nlh->nlmsg_pid = 0;
    memcpy(NLMSG_DATA(nlh), msg, len);

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    int sent = (int)sendto(fd_, buf.data(), nlh->nlmsg_len, 0, reinterpret_cast<sockaddr *>(&kernel), sizeof kernel);
    int send_errno = errno;
    // Our copy of the message may hold a CHAP secret (SET_PARAM PASSWORD).
    explicit_bzero(buf.data(), buf.size());
    if (sent < 0)
        fail(what, send_errno);

    // Read until the reply to this request arrives; session events of the
    // iscsid group that come in between are kept for next_event().
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        int rc = poll(&p, 1, REPLY_TIMEOUT_MS);
        if (rc == 0)
            throw Error(ISCSI_ERR_INTERNAL, std::string("kernel: no reply to ") + what);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            fail(what, errno);
        }
        uint8_t rbuf[8192];
        ssize_t n = recv(fd_, rbuf, sizeof rbuf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail(what, errno);
        }
        for (const auto &e : parse_kevents(rbuf, (std::size_t)n))
            pending_.push_back(e);
        for (auto *h = reinterpret_cast<nlmsghdr *>(rbuf); NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_ERROR) {
                auto *e = static_cast<nlmsgerr *>(NLMSG_DATA(h));
                if (e->error)
                    fail(what, -e->error);
                continue;
            }
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(iscsi_uevent)))
                continue;
            iscsi_uevent rep;
            memcpy(&rep, NLMSG_DATA(h), sizeof rep);
            if (rep.type == ISCSI_KEVENT_IF_ERROR) {
                int err = -(int32_t)rep.iferror;
                if (err == ENOSYS && type == ISCSI_UEVENT_SET_PARAM) {
                    memcpy(reply_out, &rep, sizeof rep);
                    return;
                }
                fail(what, err);
            }
            if (rep.type != type)
                continue;
            if (check_retcode && rep.r.retcode != 0)
                fail(what, rep.r.retcode < 0 ? -rep.r.retcode : rep.r.retcode);
            memcpy(reply_out, &rep, sizeof rep);
            if (tail) {
                const uint8_t *p = static_cast<const uint8_t *>(NLMSG_DATA(h)) + sizeof rep;
                tail->assign(p, p + (h->nlmsg_len - NLMSG_LENGTH(sizeof rep)));
            }
            return;
        }
    }
}

IscsiNetlink::SessionIds IscsiNetlink::create_session(uint32_t initial_cmdsn, uint16_t cmds_max, uint16_t queue_depth)
{
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_CREATE_SESSION;
    ev.u.c_session.initial_cmdsn = initial_cmdsn;
    ev.u.c_session.cmds_max = cmds_max;
    ev.u.c_session.queue_depth = queue_depth;
    call(&ev, sizeof ev, "CREATE_SESSION", false, &rep);
    return {rep.r.c_session_ret.sid, rep.r.c_session_ret.host_no};
}

void IscsiNetlink::create_conn(uint32_t sid, uint32_t cid)
{
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_CREATE_CONN;
    ev.u.c_conn.sid = sid;
    ev.u.c_conn.cid = cid;
    call(&ev, sizeof ev, "CREATE_CONN", false, &rep);
    if (rep.r.c_conn_ret.sid != sid)
        throw Error(ISCSI_ERR_INTERNAL, "kernel: CREATE_CONN failed");
}

void IscsiNetlink::bind_conn(uint32_t sid, uint32_t cid, int fd, bool leading)
{
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_BIND_CONN;
    ev.u.b_conn.sid = sid;
    ev.u.b_conn.cid = cid;
    ev.u.b_conn.transport_eph = (uint64_t)fd;
    ev.u.b_conn.is_leading = leading ? 1 : 0;
    call(&ev, sizeof ev, "BIND_CONN", true, &rep);
}

bool IscsiNetlink::set_param(uint32_t sid, uint32_t cid, uint32_t param, std::string_view value, const char *what)
{
    std::vector<uint8_t> msg(sizeof(iscsi_uevent) + value.size() + 1, 0);
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_SET_PARAM;
    ev.u.set_param.sid = sid;
    ev.u.set_param.cid = cid;
    ev.u.set_param.param = param;
    ev.u.set_param.len = (uint32_t)value.size() + 1;
    memcpy(msg.data(), &ev, sizeof ev);
    memcpy(msg.data() + sizeof ev, value.data(), value.size()); // NUL from the zeroed buffer
    std::string label = std::string("SET_PARAM ") + what;
    try {
        call(msg.data(), msg.size(), label.c_str(), false, &rep);
    } catch (...) {
        explicit_bzero(msg.data(), msg.size());
        throw;
    }
    // Wipe our copy: the value may be a CHAP secret.
    explicit_bzero(msg.data(), msg.size());
    if (rep.type == ISCSI_KEVENT_IF_ERROR) {
        log::debug(1, "kernel does not take %s (ENOSYS)", what);
        return false;
    }
    return true;
}

void IscsiNetlink::start_conn(uint32_t sid, uint32_t cid)
{
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_START_CONN;
    ev.u.start_conn.sid = sid;
    ev.u.start_conn.cid = cid;
    call(&ev, sizeof ev, "START_CONN", true, &rep);
}

void IscsiNetlink::stop_conn(uint32_t sid, uint32_t cid, uint32_t flag)
{
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_STOP_CONN;
    ev.u.stop_conn.sid = sid;
    ev.u.stop_conn.cid = cid;
    ev.u.stop_conn.flag = flag;
    call(&ev, sizeof ev, "STOP_CONN", false, &rep);
}

uint32_t IscsiNetlink::scsicmd_pdus(uint32_t sid, uint32_t cid)
{
    iscsi_uevent ev{}, rep{};
    ev.type = ISCSI_UEVENT_GET_STATS;
    ev.u.get_stats.sid = sid;
    ev.u.get_stats.cid = cid;
    std::vector<uint8_t> stats;
    // The kernel answers GET_STATS on the iscsid group, which we joined.
    call(&ev, sizeof ev, "GET_STATS", false, &rep, &stats);
    iscsi_stats st{};
    if (stats.size() < offsetof(iscsi_stats, scsicmd_pdus) + sizeof st.scsicmd_pdus)
        throw Error(ISCSI_ERR_INTERNAL, "kernel: GET_STATS reply too short");
    memcpy(&st, stats.data(), std::min(stats.size(), sizeof st));
    return st.scsicmd_pdus;
}

bool IscsiNetlink::next_event(KEvent &out, int timeout_ms)
{
    for (;;) {
        if (!pending_.empty()) {
            out = pending_.front();
            pending_.pop_front();
            return true;
        }
        pollfd p{fd_, POLLIN, 0};
        int rc = poll(&p, 1, timeout_ms);
        if (rc == 0)
            return false;
        if (rc < 0) {
            if (errno == EINTR)
                return false;
            fail("waiting for session events", errno);
        }
        uint8_t rbuf[8192];
        ssize_t n = recv(fd_, rbuf, sizeof rbuf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            // ENOBUFS: events were lost while we slept; the caller checks
            // the session's state anyway.
            if (errno == ENOBUFS) {
                KEvent k;
                k.kind = KEvent::Kind::OTHER;
                out = k;
                return true;
            }
            fail("reading session events", errno);
        }
        for (const auto &e : parse_kevents(rbuf, (std::size_t)n))
            pending_.push_back(e);
        timeout_ms = 0; // only what is already there
    }
}

void IscsiNetlink::destroy(uint32_t sid, uint32_t cid, bool conn_created)
{
    try {
        iscsi_uevent ev{}, rep{};
        if (conn_created) {
            ev.type = ISCSI_UEVENT_DESTROY_CONN;
            ev.u.d_conn.sid = sid;
            ev.u.d_conn.cid = cid;
            call(&ev, sizeof ev, "DESTROY_CONN", false, &rep);
        }
        ev = {};
        ev.type = ISCSI_UEVENT_DESTROY_SESSION;
        ev.u.d_session.sid = sid;
        call(&ev, sizeof ev, "DESTROY_SESSION", false, &rep);
    } catch (const Error &e) {
        log::debug(1, "teardown: %s", e.what());
    }
}

} // namespace isr::kernel
