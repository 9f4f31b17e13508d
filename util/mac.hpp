// Ethernet MAC addresses as text: "52:54:00:12:34:56".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isr {

using Mac = std::array<uint8_t, 6>;

/// Parse six two-digit hex octets separated by ':' or '-' (one separator
/// kind throughout is not required), any case, exactly 17 characters.
/// Returns nullopt for anything else.
std::optional<Mac> parse_mac(std::string_view s);

/// "xx:xx:xx:xx:xx:xx" in lower case.
std::string format_mac(const Mac &m);

} // namespace isr
