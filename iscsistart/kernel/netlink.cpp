#include "netlink.hpp"

#include "nl_reply.hpp"
#include "uevent.hpp"
#include "util/clock.hpp"
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

[[noreturn]] void fail(const char *what, int err)
{
    throw Error(ISCSI_ERR_INTERNAL, std::string("kernel: ") + what + " failed: " + strerror(err));
}

ssize_t send_to_kernel(int fd, const void *buf, std::size_t len)
{
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK; // nl_pid 0: the kernel
    return sendto(fd, buf, len, 0, reinterpret_cast<const sockaddr *>(&kernel), sizeof kernel);
}

ssize_t recv_datagram(int fd, void *buf, std::size_t len, int flags)
{
    return recv(fd, buf, len, flags);
}

constexpr NetlinkOps SOCKET_OPS{send_to_kernel, recv_datagram};

} // namespace

IscsiNetlink::IscsiNetlink(uint64_t handle) : handle_(handle), ops_(SOCKET_OPS)
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

IscsiNetlink::IscsiNetlink(uint64_t handle, int fd, const NetlinkOps &ops, int reply_timeout_ms)
    : fd_(fd), handle_(handle), ops_(ops), reply_timeout_ms_(reply_timeout_ms)
{
}

IscsiNetlink::~IscsiNetlink()
{
    if (fd_ >= 0)
        close(fd_);
}

void IscsiNetlink::overflowed(const char *while_what)
{
    // Multicast messages (session events, GET_STATS answers) were dropped
    // while the receive buffer was full. next_event() callers re-read the
    // sessions' state when they see an event of type 0.
    if (!overflow_logged_)
        log::info("kernel: netlink receive buffer overflowed %s; some session events were lost", while_what);
    else
        log::debug(1, "kernel: netlink receive buffer overflowed again %s", while_what);
    overflow_logged_ = true;
    pending_.push_back(KEvent{});
}

void IscsiNetlink::call(void *msg, std::size_t len, const char *what, bool check_retcode, void *reply_out,
                       std::vector<uint8_t> *tail, bool match_ids)
{
    auto *ev = static_cast<iscsi_uevent *>(msg);
    ev->transport_handle = handle_;
    ReplyWanted want;
    want.type = ev->type;
    want.match_ids = match_ids;
    want.sid = ev->u.get_stats.sid;
    want.cid = ev->u.get_stats.cid;

    std::vector<uint8_t> buf(NLMSG_SPACE(len), 0);
    auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data());
    nlh->nlmsg_len = NLMSG_LENGTH(len);
    // The kernel takes the type from here (and repeats it in a GET_STATS answer).
    nlh->nlmsg_type = (uint16_t)want.type;
    nlh->nlmsg_flags = 0;
    nlh->nlmsg_seq = ++seq_;
    nlh->nlmsg_pid = 0;
    memcpy(NLMSG_DATA(nlh), msg, len);

    ssize_t sent = ops_.send(fd_, buf.data(), nlh->nlmsg_len);
    int send_errno = errno;
    // Our copy of the message may hold a CHAP secret (SET_PARAM PASSWORD).
    explicit_bzero(buf.data(), buf.size());
    if (sent < 0)
        fail(what, send_errno);

    // Read until the answer to this request arrives, at most
    // reply_timeout_ms_ in all; session events that come in between are
    // kept for next_event(), answers meant for others are skipped.
    const long deadline = monotonic_ms() + reply_timeout_ms_;
    unsigned foreign = 0;
    for (;;) {
        long left = deadline - monotonic_ms();
        if (left <= 0)
            throw Error(ISCSI_ERR_INTERNAL, std::string("kernel: no reply to ") + what);
        pollfd p{fd_, POLLIN, 0};
        int rc = poll(&p, 1, (int)left);
        if (rc == 0)
            continue; // the deadline check above ends it
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            fail(what, errno);
        }
        uint8_t rbuf[8192];
        ssize_t n = ops_.recv(fd_, rbuf, sizeof rbuf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (errno == ENOBUFS) {
                // Not our answer's fault: keep waiting for it.
                std::string w = std::string("while waiting for the reply to ") + what;
                overflowed(w.c_str());
                continue;
            }
            fail(what, errno);
        }
        ReplyScan r = scan_reply(rbuf, (std::size_t)n, want);
        for (const auto &e : r.events)
            pending_.push_back(e);
        if (r.foreign) {
            foreign += r.foreign;
            log::debug(2, "kernel: skipped %u answer(s) not for our %s", foreign, what);
        }
        if (!r.done)
            continue;
        if (r.err) {
            if (r.err == ENOSYS && want.type == ISCSI_UEVENT_SET_PARAM && r.reply.type == ISCSI_KEVENT_IF_ERROR) {
                memcpy(reply_out, &r.reply, sizeof r.reply);
                return;
            }
            fail(what, r.err);
        }
        if (check_retcode && r.reply.r.retcode != 0)
            fail(what, positive_errno(r.reply.r.retcode));
        memcpy(reply_out, &r.reply, sizeof r.reply);
        if (tail)
            *tail = std::move(r.tail);
        return;
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
    std::vector<uint8_t> tail;
    // The kernel answers GET_STATS on the iscsid group, which we joined,
    // and so does it for everyone else's: match our sid and cid.
    call(&ev, sizeof ev, "GET_STATS", false, &rep, &tail, true);
    iscsi_stats stats{};
    if (tail.size() < offsetof(iscsi_stats, scsicmd_pdus) + sizeof stats.scsicmd_pdus)
        throw Error(ISCSI_ERR_INTERNAL, "kernel: GET_STATS reply too short");
    memcpy(&stats, tail.data(), std::min(tail.size(), sizeof stats));
    return stats.scsicmd_pdus;
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
        ssize_t n = ops_.recv(fd_, rbuf, sizeof rbuf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            // ENOBUFS: events were lost while we slept; the caller checks
            // the session's state anyway.
            if (errno == ENOBUFS) {
                overflowed("while waiting for session events");
                continue;
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
