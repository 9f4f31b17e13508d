// Text helpers shared by every parser: safe quoting of untrusted bytes in
// messages, and comma-separated lists.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace isr::text {

/// At most `max` bytes of `s` for a one-line message: bytes outside
/// printable ASCII (and '\\') become "\xNN", so no terminal escape, newline
/// or invalid UTF-8 from a target, DHCP server or firmware reaches a log;
/// "..." marks a cut.
std::string printable(std::string_view s, std::size_t max = 64);

/// Split `s` at every `sep` ("a,,b" gives "a", "", "b"; "" gives one empty
/// item). Callers reject or skip empty items as their grammar says.
std::vector<std::string> split_list(std::string_view s, char sep = ',');

} // namespace isr::text
