// libFuzzer target: the parsers of the kernel's NETLINK_ISCSI datagrams,
// the event parser (kernel/kevent.cpp), which the session supervisor
// reads for as long as the machine runs, and the reply classifier
// (kernel/nl_reply.cpp), which every request's answer goes through. Any
// input must parse to some events or answer or none, never crash or read
// out of bounds.
#include "../iscsistart/kernel/kevent.hpp"
#include "../iscsistart/kernel/nl_reply.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (const auto &e : isr::kernel::parse_kevents(data, size))
        (void)isr::kernel::conn_error_name(e.value);
    // Waiting for a GET_STATS answer (ids matched) and for a plain one.
    isr::kernel::ReplyWanted want;
    want.type = isr::kabi::ISCSI_UEVENT_GET_STATS;
    want.match_ids = true;
    want.sid = 1;
    auto r = isr::kernel::scan_reply(data, size, want);
    (void)r;
    want.type = isr::kabi::ISCSI_UEVENT_STOP_CONN;
    want.match_ids = false;
    r = isr::kernel::scan_reply(data, size, want);
    return 0;
}
