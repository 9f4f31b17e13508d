// Waiting for the kernel's answer on the NETLINK_ISCSI socket: which
// records are ours (kernel/nl_reply.cpp), and IscsiNetlink itself run over
// an AF_UNIX datagram socket pair standing in for the kernel (this host's
// kernel need not have the iSCSI transport): a GET_STATS answer for
// another process's connection must be skipped, ENOBUFS must not fail a
// request, and the wait is bounded however much else arrives.
#include "test_util.hpp"

#include "../../iscsistart/kernel/handoff.hpp"
#include "../../iscsistart/kernel/netlink.hpp"
#include "../../iscsistart/kernel/nl_reply.hpp"
#include "../../iscsistart/kernel/uevent.hpp"
#include "util/clock.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace isr;
using namespace isr::kabi;
using kernel::ReplyClass;
using kernel::ReplyWanted;

namespace {

// One record as the kernel builds it: nlmsghdr, iscsi_uevent, then `tail`.
void append(std::vector<uint8_t> &buf, uint16_t nl_type, const iscsi_uevent &ev,
            const std::vector<uint8_t> &tail = {})
{
    nlmsghdr h{};
    h.nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof ev + tail.size());
    h.nlmsg_type = nl_type;
    std::size_t at = buf.size();
    buf.resize(at + NLMSG_ALIGN(h.nlmsg_len), 0);
    memcpy(buf.data() + at, &h, sizeof h);
    memcpy(buf.data() + at + NLMSG_HDRLEN, &ev, sizeof ev);
    if (!tail.empty())
        memcpy(buf.data() + at + NLMSG_HDRLEN + sizeof ev, tail.data(), tail.size());
}

// The multicast GET_STATS answer for (sid, cid): nlmsg_type 0, our type
// in the uevent, struct iscsi_stats after it.
void append_stats(std::vector<uint8_t> &buf, uint32_t sid, uint32_t cid, uint32_t scsicmd_pdus)
{
    iscsi_uevent ev{};
    ev.type = ISCSI_UEVENT_GET_STATS;
    ev.u.get_stats.sid = sid;
    ev.u.get_stats.cid = cid;
    iscsi_stats st{};
    st.scsicmd_pdus = scsicmd_pdus;
    std::vector<uint8_t> tail(sizeof st);
    memcpy(tail.data(), &st, sizeof st);
    append(buf, 0, ev, tail);
}

void append_conn_error(std::vector<uint8_t> &buf, uint32_t sid, uint32_t err)
{
    iscsi_uevent ev{};
    ev.type = ISCSI_KEVENT_CONN_ERROR;
    ev.r.connerror.sid = sid;
    ev.r.connerror.error = err;
    append(buf, 0, ev);
}

// A unicast answer: our request back, with `retcode`.
void append_answer(std::vector<uint8_t> &buf, uint32_t type, uint32_t sid, uint32_t cid, int32_t retcode = 0)
{
    iscsi_uevent ev{};
    ev.type = type;
    ev.u.c_conn.sid = sid;
    ev.u.c_conn.cid = cid;
    ev.r.retcode = retcode;
    append(buf, (uint16_t)type, ev);
}

void append_if_error(std::vector<uint8_t> &buf, uint32_t request, int neg_errno)
{
    iscsi_uevent ev{};
    ev.type = ISCSI_KEVENT_IF_ERROR;
    ev.iferror = (uint32_t)neg_errno;
    append(buf, (uint16_t)request, ev);
}

ReplyWanted get_stats_of(uint32_t sid, uint32_t cid)
{
    ReplyWanted w;
    w.type = ISCSI_UEVENT_GET_STATS;
    w.match_ids = true;
    w.sid = sid;
    w.cid = cid;
    return w;
}

uint32_t scsicmd_of(const kernel::ReplyScan &r)
{
    iscsi_stats st{};
    assert_true(r.tail.size() >= sizeof st);
    memcpy(&st, r.tail.data(), sizeof st);
    return st.scsicmd_pdus;
}

} // namespace

// ---- the pure classification ----

static void get_stats_answer_of_others_is_skipped(void **)
{
    // Another process's answer (another session), an event, an answer for
    // another connection of our session, then ours: all in one datagram.
    std::vector<uint8_t> buf;
    append_stats(buf, 8, 0, 999);
    append_conn_error(buf, 7, ISCSI_ERR_TCP_CONN_CLOSE);
    append_stats(buf, 7, 1, 555);
    append_stats(buf, 7, 0, 42);
    auto r = kernel::scan_reply(buf.data(), buf.size(), get_stats_of(7, 0));
    assert_true(r.done);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.foreign, 2);
    assert_int_equal(r.reply.u.get_stats.sid, 7);
    assert_int_equal(scsicmd_of(r), 42);
    assert_int_equal(r.events.size(), 1);
    assert_true(r.events[0].kind == kernel::KEvent::Kind::CONN_ERROR);
    assert_int_equal(r.events[0].sid, 7);
}

static void only_foreign_answers_is_not_done(void **)
{
    std::vector<uint8_t> buf;
    append_stats(buf, 8, 0, 999);
    auto r = kernel::scan_reply(buf.data(), buf.size(), get_stats_of(7, 0));
    assert_false(r.done);
    assert_int_equal(r.foreign, 1);

    int err = 0;
    assert_true(kernel::classify_record(buf.data(), buf.size(), get_stats_of(8, 0), err) == ReplyClass::OURS);
    assert_true(kernel::classify_record(buf.data(), buf.size(), get_stats_of(8, 1), err) == ReplyClass::FOREIGN);
    assert_true(kernel::classify_record(buf.data(), buf.size(), get_stats_of(9, 0), err) == ReplyClass::FOREIGN);
}

static void events_after_our_answer_are_kept(void **)
{
    std::vector<uint8_t> buf;
    append_stats(buf, 7, 0, 42);
    append_conn_error(buf, 7, ISCSI_ERR_NOP_TIMEDOUT);
    append_stats(buf, 7, 0, 43); // a second answer: the first counts
    auto r = kernel::scan_reply(buf.data(), buf.size(), get_stats_of(7, 0));
    assert_true(r.done);
    assert_int_equal(scsicmd_of(r), 42);
    assert_int_equal(r.events.size(), 1);
    assert_int_equal(r.events[0].value, ISCSI_ERR_NOP_TIMEDOUT);
}

static void other_requests_answer_by_type(void **)
{
    ReplyWanted w;
    w.type = ISCSI_UEVENT_STOP_CONN;
    std::vector<uint8_t> buf;
    append_stats(buf, 7, 0, 1); // someone's GET_STATS while we wait for STOP_CONN
    append_answer(buf, ISCSI_UEVENT_STOP_CONN, 7, 0);
    auto r = kernel::scan_reply(buf.data(), buf.size(), w);
    assert_true(r.done);
    assert_int_equal(r.foreign, 1);
    assert_int_equal(r.reply.type, ISCSI_UEVENT_STOP_CONN);
}

static void refusals_are_errors(void **)
{
    std::vector<uint8_t> buf;
    append_if_error(buf, ISCSI_UEVENT_GET_STATS, -EEXIST);
    auto r = kernel::scan_reply(buf.data(), buf.size(), get_stats_of(7, 0));
    assert_true(r.done);
    assert_int_equal(r.err, EEXIST);
    assert_int_equal(r.reply.type, ISCSI_KEVENT_IF_ERROR);

    // NLMSG_ERROR: an acknowledgement (error 0) is not an answer; an errno is.
    std::vector<uint8_t> nl(NLMSG_SPACE(sizeof(nlmsgerr)), 0);
    nlmsghdr h{};
    h.nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof(nlmsgerr));
    h.nlmsg_type = NLMSG_ERROR;
    nlmsgerr e{};
    memcpy(nl.data(), &h, sizeof h);
    memcpy(nl.data() + NLMSG_HDRLEN, &e, sizeof e);
    int err = 0;
    assert_true(kernel::classify_record(nl.data(), h.nlmsg_len, get_stats_of(7, 0), err) == ReplyClass::IGNORE);
    e.error = -EPERM;
    memcpy(nl.data() + NLMSG_HDRLEN, &e, sizeof e);
    assert_true(kernel::classify_record(nl.data(), h.nlmsg_len, get_stats_of(7, 0), err) == ReplyClass::ERROR);
    assert_int_equal(err, EPERM);
    // The fuzzer's find: an errno that cannot be negated.
    e.error = INT32_MIN;
    memcpy(nl.data() + NLMSG_HDRLEN, &e, sizeof e);
    assert_true(kernel::classify_record(nl.data(), h.nlmsg_len, get_stats_of(7, 0), err) == ReplyClass::ERROR);
    assert_int_equal(err, EIO);
    assert_int_equal(kernel::positive_errno(-ENOSYS), ENOSYS);
    assert_int_equal(kernel::positive_errno(ENOSYS), ENOSYS);
    assert_int_equal(kernel::positive_errno(0), EIO);
}

static void truncated_records(void **)
{
    std::vector<uint8_t> buf;
    append_stats(buf, 7, 0, 42);
    // Cut inside the record: nlmsg_len is beyond the datagram.
    auto r = kernel::scan_reply(buf.data(), NLMSG_HDRLEN + 20, get_stats_of(7, 0));
    assert_false(r.done);
    // A record whose nlmsg_len is too short for an iscsi_uevent.
    std::vector<uint8_t> small(NLMSG_SPACE(8), 0);
    nlmsghdr h{};
    h.nlmsg_len = (uint32_t)NLMSG_LENGTH(8);
    memcpy(small.data(), &h, sizeof h);
    int err = 0;
    assert_true(kernel::classify_record(small.data(), h.nlmsg_len, get_stats_of(0, 0), err) == ReplyClass::IGNORE);
    r = kernel::scan_reply(small.data(), small.size(), get_stats_of(0, 0));
    assert_false(r.done);
    assert_int_equal(r.foreign, 0);
}

// ---- IscsiNetlink over a stand-in socket ----

// Run `expr`, which must not throw isr::Error (a failed test, not an abort).
#define EXPECT_NO_ERROR(expr)                                     \
    do {                                                          \
        try {                                                     \
            expr;                                                 \
        } catch (const isr::Error &e_) {                          \
            print_error("%s threw: %s\n", #expr, e_.what());     \
            fail();                                               \
        }                                                         \
    } while (0)

namespace {

// The "kernel" end of the socket pair and what it does with a request.
struct FakeKernel {
    int fd = -1;
    std::vector<std::vector<uint8_t>> on_request; // datagrams to send when a request comes
    int enobufs = 0;         // the next this many recv calls fail with ENOBUFS
    bool stream = false;     // after every datagram we read, another foreign GET_STATS answer
    uint32_t last_type = 0;  // nlmsg_type of the last request
    iscsi_uevent last{};     // its iscsi_uevent
    bool answer_each = false; // answer every request with success, as the kernel does
    std::vector<std::pair<uint32_t, std::string>> params; // SET_PARAM (param, value) in order
};
FakeKernel g_kernel;

ssize_t fake_send(int fd, const void *buf, std::size_t len)
{
    (void)fd;
    assert_true(len >= NLMSG_LENGTH(sizeof(iscsi_uevent)));
    nlmsghdr h;
    memcpy(&h, buf, sizeof h);
    g_kernel.last_type = h.nlmsg_type;
    memcpy(&g_kernel.last, static_cast<const uint8_t *>(buf) + NLMSG_HDRLEN, sizeof g_kernel.last);
    if (h.nlmsg_type == ISCSI_UEVENT_SET_PARAM) {
        const char *v = static_cast<const char *>(buf) + NLMSG_HDRLEN + sizeof(iscsi_uevent);
        g_kernel.params.emplace_back(g_kernel.last.u.set_param.param, std::string(v, strnlen(v, g_kernel.last.u.set_param.len)));
    }
    if (g_kernel.answer_each) {
        std::vector<uint8_t> d;
        append_answer(d, h.nlmsg_type, g_kernel.last.u.c_conn.sid, g_kernel.last.u.c_conn.cid);
        assert_int_equal(send(g_kernel.fd, d.data(), d.size(), 0), (ssize_t)d.size());
    }
    for (const auto &d : g_kernel.on_request)
        assert_int_equal(send(g_kernel.fd, d.data(), d.size(), 0), (ssize_t)d.size());
    return (ssize_t)len;
}

ssize_t fake_recv(int fd, void *buf, std::size_t len, int flags)
{
    if (g_kernel.enobufs > 0) {
        --g_kernel.enobufs;
        errno = ENOBUFS;
        return -1;
    }
    ssize_t n = recv(fd, buf, len, flags);
    if (n > 0 && g_kernel.stream) {
        sleep_ms(10);
        std::vector<uint8_t> d;
        append_stats(d, 99, 0, 1);
        (void)!send(g_kernel.fd, d.data(), d.size(), 0);
    }
    return n;
}

constexpr kernel::NetlinkOps FAKE_OPS{fake_send, fake_recv};

// An IscsiNetlink whose kernel is g_kernel, answering within `timeout_ms`.
kernel::IscsiNetlink *open_fake(int timeout_ms = 2000)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
    g_kernel = FakeKernel{};
    g_kernel.fd = sv[1];
    return new kernel::IscsiNetlink(0x1234, sv[0], FAKE_OPS, timeout_ms);
}

void close_fake(kernel::IscsiNetlink *nl)
{
    delete nl;
    close(g_kernel.fd);
    g_kernel.fd = -1;
}

std::vector<uint8_t> one(void (*fn)(std::vector<uint8_t> &))
{
    std::vector<uint8_t> d;
    fn(d);
    return d;
}

} // namespace

static void scsicmd_pdus_takes_our_answer_only(void **)
{
    auto *nl = open_fake();
    g_kernel.on_request = {
        one([](std::vector<uint8_t> &d) { append_stats(d, 8, 0, 999); }), // iscsid asked about session 8
        one([](std::vector<uint8_t> &d) { append_conn_error(d, 7, ISCSI_ERR_TCP_CONN_CLOSE); }),
        one([](std::vector<uint8_t> &d) { append_stats(d, 7, 1, 555); }),
        one([](std::vector<uint8_t> &d) { append_stats(d, 7, 0, 42); }),
    };
    uint32_t n = 0;
    EXPECT_NO_ERROR(n = nl->scsicmd_pdus(7, 0));
    assert_int_equal(n, 42);
    assert_int_equal(g_kernel.last_type, ISCSI_UEVENT_GET_STATS);
    assert_int_equal(g_kernel.last.u.get_stats.sid, 7);
    assert_int_equal(g_kernel.last.transport_handle, 0x1234);

    kernel::KEvent ev;
    assert_true(nl->next_event(ev, 0)); // the event in between was kept
    assert_true(ev.kind == kernel::KEvent::Kind::CONN_ERROR);
    assert_int_equal(ev.sid, 7);
    assert_false(nl->next_event(ev, 0));
    close_fake(nl);
}

static void enobufs_does_not_fail_the_request(void **)
{
    auto *nl = open_fake();
    g_kernel.on_request = {
        one([](std::vector<uint8_t> &d) { append_conn_error(d, 7, ISCSI_ERR_CONN_FAILED); }),
        one([](std::vector<uint8_t> &d) { append_answer(d, ISCSI_UEVENT_STOP_CONN, 7, 0); }),
    };
    g_kernel.enobufs = 2;
    EXPECT_NO_ERROR(nl->stop_conn(7, 0, STOP_CONN_RECOVER));
    assert_int_equal(g_kernel.last.u.stop_conn.flag, STOP_CONN_RECOVER);

    // Events were lost: the caller hears of it (an event of type 0), then
    // gets the event that did arrive.
    kernel::KEvent ev;
    assert_true(nl->next_event(ev, 0));
    assert_true(ev.kind == kernel::KEvent::Kind::OTHER);
    assert_int_equal(ev.type, 0);
    assert_true(nl->next_event(ev, 0));
    assert_true(ev.kind == kernel::KEvent::Kind::OTHER);
    assert_true(nl->next_event(ev, 0));
    assert_true(ev.kind == kernel::KEvent::Kind::CONN_ERROR);
    assert_false(nl->next_event(ev, 0));

    // The same for GET_STATS, whose answer comes by multicast.
    g_kernel.on_request = {one([](std::vector<uint8_t> &d) { append_stats(d, 7, 0, 17); })};
    g_kernel.enobufs = 1;
    uint32_t n = 0;
    EXPECT_NO_ERROR(n = nl->scsicmd_pdus(7, 0));
    assert_int_equal(n, 17);
    close_fake(nl);
}

static void wait_is_bounded(void **)
{
    // Answers for others keep coming, ours never does: the request still
    // ends after its timeout (alarm: a loop that never ends fails the test).
    auto *nl = open_fake(300);
    g_kernel.on_request = {one([](std::vector<uint8_t> &d) { append_stats(d, 99, 0, 1); })};
    g_kernel.stream = true;
    alarm(20);
    long t0 = monotonic_ms();
    EXPECT_ERROR(nl->scsicmd_pdus(7, 0), ISCSI_ERR_INTERNAL, "no reply to GET_STATS");
    long took = monotonic_ms() - t0;
    alarm(0);
    assert_true(took >= 300);
    assert_true(took < 15000);
    close_fake(nl);
}

static void refused_requests(void **)
{
    auto *nl = open_fake();
    g_kernel.on_request = {one([](std::vector<uint8_t> &d) { append_if_error(d, ISCSI_UEVENT_GET_STATS, -EEXIST); })};
    EXPECT_ERROR(nl->scsicmd_pdus(7, 0), ISCSI_ERR_INTERNAL, "GET_STATS failed");

    // SET_PARAM of a parameter the transport lacks: not an error.
    g_kernel.on_request = {one([](std::vector<uint8_t> &d) { append_if_error(d, ISCSI_UEVENT_SET_PARAM, -ENOSYS); })};
    bool taken = true;
    EXPECT_NO_ERROR(taken = nl->set_param(7, 0, ISCSI_PARAM_TGT_RESET_TMO, "30", "TGT_RESET_TMO"));
    assert_false(taken);
    assert_int_equal(g_kernel.last.u.set_param.param, ISCSI_PARAM_TGT_RESET_TMO);
    assert_int_equal(g_kernel.last.u.set_param.len, 3);

    // START_CONN answered with a non-zero retcode.
    g_kernel.on_request = {one([](std::vector<uint8_t> &d) { append_answer(d, ISCSI_UEVENT_START_CONN, 7, 0, -EIO); })};
    EXPECT_ERROR(nl->start_conn(7, 0), ISCSI_ERR_INTERNAL, "START_CONN failed");
    close_fake(nl);
}

// hand_over() after a redirect: the kernel's persistent address and port
// are the portal the session was configured with (what iscsiadm's node
// records, open-iscsi's session matching and our one-session-per-target
// check compare), not the portal the target redirected us to.
static void handoff_keeps_the_configured_portal(void **)
{
    auto *nl = open_fake();
    g_kernel.answer_each = true;
    SessionConfig cfg;
    cfg.login.initiator_name = "iqn.2026-11.test:init";
    cfg.login.target_name = "iqn.2026-11.test:root";
    cfg.portal = {"10.0.0.1", 3260};
    LoginResult lr;
    lr.sock = net::Socket(dup(g_kernel.fd));
    lr.portal = {"10.0.0.9", 3261}; // where the redirect took us
    pdu::Isid isid{0x80, 1, 2, 3, 0, 0};
    EXPECT_NO_ERROR(kernel::hand_over(*nl, 7, cfg, isid, lr));
    assert_int_equal(g_kernel.last_type, ISCSI_UEVENT_START_CONN);
    std::string addr, port;
    for (const auto &[param, value] : g_kernel.params) {
        if (param == ISCSI_PARAM_PERSISTENT_ADDRESS)
            addr = value;
        if (param == ISCSI_PARAM_PERSISTENT_PORT)
            port = value;
    }
    assert_string_equal(addr.c_str(), "10.0.0.1");
    assert_string_equal(port.c_str(), "3260");
    close_fake(nl);
}

int main()
{
    signal(SIGPIPE, SIG_IGN);
    const CMUnitTest tests[] = {
        cmocka_unit_test(get_stats_answer_of_others_is_skipped),
        cmocka_unit_test(only_foreign_answers_is_not_done),
        cmocka_unit_test(events_after_our_answer_are_kept),
        cmocka_unit_test(other_requests_answer_by_type),
        cmocka_unit_test(refusals_are_errors),
        cmocka_unit_test(truncated_records),
        cmocka_unit_test(scsicmd_pdus_takes_our_answer_only),
        cmocka_unit_test(enobufs_does_not_fail_the_request),
        cmocka_unit_test(wait_is_bounded),
        cmocka_unit_test(refused_requests),
        cmocka_unit_test(handoff_keeps_the_configured_portal),
    };
    return cmocka_run_group_tests_name("netlink", tests, nullptr, nullptr);
}
