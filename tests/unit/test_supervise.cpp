// The supervisor's pure parts: the kernel's session events as they arrive
// on the netlink socket, iscsid detection from /proc/net/unix, the
// take-over rule and the re-login delays.
#include "test_util.hpp"

#include "../../iscsistart/kernel/kevent.hpp"
#include "../../iscsistart/kernel/uevent.hpp"
#include "../../iscsistart/supervise/policy.hpp"

#include <cstring>
#include <linux/netlink.h>
#include <vector>

using namespace isr;

namespace {

// One netlink record carrying `ev`, padded as the kernel pads it.
void append_record(std::vector<uint8_t> &buf, const kabi::iscsi_uevent &ev, uint16_t nl_type = 0)
{
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_LENGTH(sizeof ev);
    h.nlmsg_type = nl_type ? nl_type : (uint16_t)ev.type;
    std::size_t at = buf.size();
    buf.resize(at + NLMSG_SPACE(sizeof ev), 0);
    memcpy(buf.data() + at, &h, sizeof h);
    memcpy(buf.data() + at + NLMSG_HDRLEN, &ev, sizeof ev);
}

} // namespace

static void conn_error_event(void **)
{
    kabi::iscsi_uevent ev{};
    ev.type = kabi::ISCSI_KEVENT_CONN_ERROR;
    ev.r.connerror.sid = 3;
    ev.r.connerror.cid = 0;
    ev.r.connerror.error = 1020;
    std::vector<uint8_t> buf;
    append_record(buf, ev);
    auto evs = kernel::parse_kevents(buf.data(), buf.size());
    assert_int_equal(evs.size(), 1);
    assert_true(evs[0].kind == kernel::KEvent::Kind::CONN_ERROR);
    assert_int_equal(evs[0].sid, 3);
    assert_int_equal(evs[0].value, 1020);
    assert_string_equal(kernel::conn_error_name(1020), "TCP_CONN_CLOSE");
    assert_string_equal(kernel::conn_error_name(1022), "NOP_TIMEDOUT");
    assert_string_equal(kernel::conn_error_name(7), "unknown error");
}

static void several_records_and_replies(void **)
{
    std::vector<uint8_t> buf;
    kabi::iscsi_uevent reply{};
    reply.type = kabi::ISCSI_UEVENT_STOP_CONN; // a reply, not an event
    append_record(buf, reply);
    kabi::iscsi_uevent d{};
    d.type = kabi::ISCSI_KEVENT_DESTROY_SESSION;
    d.r.d_session.host_no = 9;
    d.r.d_session.sid = 4;
    append_record(buf, d);
    kabi::iscsi_uevent u{};
    u.type = kabi::ISCSI_KEVENT_UNBIND_SESSION;
    u.r.unbind_session.sid = 5;
    u.r.unbind_session.host_no = 9;
    append_record(buf, u);
    auto evs = kernel::parse_kevents(buf.data(), buf.size());
    assert_int_equal(evs.size(), 2);
    assert_true(evs[0].kind == kernel::KEvent::Kind::DESTROY_SESSION);
    assert_int_equal(evs[0].sid, 4);
    assert_true(evs[1].kind == kernel::KEvent::Kind::UNBIND_SESSION);
    assert_int_equal(evs[1].sid, 5);
}

static void truncated_and_hostile_records(void **)
{
    kabi::iscsi_uevent ev{};
    ev.type = kabi::ISCSI_KEVENT_CONN_ERROR;
    std::vector<uint8_t> buf;
    append_record(buf, ev);
    // every truncation parses to nothing, reading nothing past the end
    for (std::size_t n = 0; n < NLMSG_LENGTH(sizeof ev); ++n) {
        std::vector<uint8_t> part(buf.begin(), buf.begin() + (long)n);
        assert_int_equal(kernel::parse_kevents(part.data(), part.size()).size(), 0);
    }
    // a length field larger than the datagram, or smaller than a header
    nlmsghdr h;
    memcpy(&h, buf.data(), sizeof h);
    h.nlmsg_len = 0xffff;
    memcpy(buf.data(), &h, sizeof h);
    assert_int_equal(kernel::parse_kevents(buf.data(), buf.size()).size(), 0);
    h.nlmsg_len = 3;
    memcpy(buf.data(), &h, sizeof h);
    assert_int_equal(kernel::parse_kevents(buf.data(), buf.size()).size(), 0);
    // NLMSG_ERROR records are not events
    std::vector<uint8_t> err;
    append_record(err, ev, NLMSG_ERROR);
    assert_int_equal(kernel::parse_kevents(err.data(), err.size()).size(), 0);
}

static void iscsid_socket(void **)
{
    const char *listening =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 18843 @ISCSIADM_ABSTRACT_NAMESPACE\n";
    const char *connected =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 18844 @ISCSIADM_ABSTRACT_NAMESPACE\n";
    const char *other =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 1884 /run/systemd/notify\n"
        "garbage\n\n 1 2 3\n";
    assert_true(supervise::iscsid_listening(listening));
    assert_false(supervise::iscsid_listening(connected));
    assert_false(supervise::iscsid_listening(other));
    assert_false(supervise::iscsid_listening(""));
}

static void take_over_rule(void **)
{
    assert_true(supervise::taken_over(true, 40000, 40001));
    assert_false(supervise::taken_over(true, 40000, 40000)); // still our socket
    assert_false(supervise::taken_over(false, 40000, 40001)); // we recovered it ourselves
    assert_false(supervise::taken_over(true, 40000, 0));      // not connected right now
}

static void retry_delays(void **)
{
    assert_int_equal(supervise::retry_delay_ms(1, 0.5, 100000), 250);
    assert_int_equal(supervise::retry_delay_ms(2, 0.5, 100000), 500);
    assert_int_equal(supervise::retry_delay_ms(10, 0.5, 100000), 4000); // capped
    assert_int_equal(supervise::retry_delay_ms(10, 0.5, 1200), 1200);   // not past the deadline
    assert_int_equal(supervise::retry_delay_ms(3, 0.5, 0), -1);         // give up
    long lo = supervise::retry_delay_ms(10, 0.0, 100000), hi = supervise::retry_delay_ms(10, 0.999, 100000);
    assert_true(lo >= 3000 && hi < 5000 && lo < hi); // jitter spreads a boot storm
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(conn_error_event),      cmocka_unit_test(several_records_and_replies),
        cmocka_unit_test(truncated_and_hostile_records), cmocka_unit_test(iscsid_socket),
        cmocka_unit_test(take_over_rule),        cmocka_unit_test(retry_delays),
    };
    return cmocka_run_group_tests_name("supervise", tests, nullptr, nullptr);
}
