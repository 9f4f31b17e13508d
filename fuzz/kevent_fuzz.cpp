// libFuzzer target: the parser of the kernel's NETLINK_ISCSI event
// datagrams (kernel/kevent.cpp), which the session supervisor reads for
// as long as the machine runs. Any input must parse to some events or
// none, never crash or read out of bounds.
#include "../iscsistart/kernel/kevent.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (const auto &e : isr::kernel::parse_kevents(data, size))
        (void)isr::kernel::conn_error_name(e.value);
    return 0;
}
