// libFuzzer target: a SendTargets answer from a hostile target. The input
// is a series of Text Responses, each a 48-byte BHS followed by the data
// segment its DataSegmentLength names (cut to what is there), fed to the
// SendTargetsExchange until it is done or refuses; then the collected text
// is parsed. Any bytes must end in records or an isr::Error, never a crash,
// hang or out-of-bounds read (ASan, UBSan). Checked on the way: every
// record has a non-empty name and host, and its iscsiadm line is one line.
#include "../iscsistart/discovery/sendtargets.hpp"
#include "util/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace isr;

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // Also the whole input as one answer's text.
    try {
        for (const auto &r : discovery::parse_send_targets(data, size, "192.0.2.1", 3260))
            check(!r.target_name.empty() && !r.host.empty());
    } catch (const Error &) {
    }

    discovery::SendTargetsExchange ex(1, 1, 1, 8192);
    std::size_t pos = 0;
    try {
        while (!ex.done() && pos + pdu::BHS_LEN <= size) {
            ex.next_request();
            const uint8_t *bhs = data + pos;
            pos += pdu::BHS_LEN;
            std::size_t len = pdu::data_segment_length(bhs);
            if (len > size - pos)
                len = size - pos;
            auto rsp = pdu::decode_text_response(bhs);
            ex.on_response(rsp, data + pos, len);
            pos += len;
        }
        if (!ex.done())
            return 0;
        for (const auto &r : discovery::parse_send_targets(ex.text().data(), ex.text().size(), "192.0.2.1", 3260)) {
            check(!r.target_name.empty() && !r.host.empty());
            check(discovery::format_record(r).find('\n') == std::string::npos);
        }
    } catch (const Error &) {
    }
    return 0;
}
