// libFuzzer target: the DHCP reply parser and the IPv4/UDP frame filter
// must reject any input with an isr::Error (or nullopt), never crash, hang
// or read out of bounds (run under ASan and UBSan). Every input is parsed
// as a DHCP message with its own xid and chaddr (so mutations get past
// those checks into the options), and also as an IPv4 packet whose UDP
// payload is then parsed the same way.
#include "../iscsistart/dhcp/dhcp_packet.hpp"
#include "../iscsistart/dhcp/lease_file.hpp"
#include "util/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

static void parse_one(const uint8_t *data, size_t size)
{
    isr::dhcp::Mac mac{};
    if (size >= 34)
        memcpy(mac.data(), data + 28, 6);
    uint32_t xid = isr::dhcp::message_xid(data, size).value_or(0);
    try {
        isr::dhcp::Lease l = isr::dhcp::parse_reply(data, size, xid, mac);
        (void)isr::dhcp::lease_text(l, "eth0");
        // a dropped option's warning is one printable line, whatever the
        // server sent (it goes to the console and the kernel log)
        for (const auto &w : l.warnings)
            for (unsigned char c : w)
                if (c < 0x20 || c == 0x7f)
                    __builtin_trap();
    } catch (const isr::Error &) {
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_one(data, size);
    if (auto p = isr::dhcp::udp_payload(data, size)) {
        if (p->first + p->second > size)
            __builtin_trap();
        parse_one(data + p->first, p->second);
    }
    return 0;
}
