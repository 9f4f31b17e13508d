// libFuzzer target: the kernel command-line parser and the network plan
// made from it must turn any text into a BootConfig or an isr::Error,
// never crash, hang or read out of bounds (ASan, UBSan). The input is
// also tried as one netroot= value and one ip= value, so mutations reach
// the URI and ip= grammars without having to grow the key first, and as
// the text of /etc/iscsiroot.conf in front of a fixed command line.
#include "../iscsistart/cmdline/cmdline.hpp"
#include "../iscsistart/cmdline/net_plan.hpp"
#include "../iscsistart/cmdline/sources.hpp"
#include "util/errors.hpp"
#include "util/secret.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    try {
        auto b = isr::cmdline::parse(text);
        (void)isr::cmdline::plan_network(b);
    } catch (const isr::Error &) {
    }
    try {
        (void)isr::cmdline::parse_iscsi_uri("iscsi:" + text, "netroot");
    } catch (const isr::Error &) {
    }
    try {
        (void)isr::cmdline::parse_ip(text);
    } catch (const isr::Error &) {
    }
    try {
        (void)isr::cmdline::parse(isr::cmdline::join_sources(
            {isr::cmdline::config_file_words(text), "ip=dhcp netroot=dhcp\n"}));
    } catch (const isr::Error &) {
    }
    (void)isr::mask_uri_credentials(text);
    return 0;
}
