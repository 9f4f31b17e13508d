// Shared pieces of the kernel command-line grammar, for cmdline.cpp
// (dispatch), netroot_uri.cpp and ip_param.cpp. Internal to cmdline/.
#pragma once

#include "../net/nic_config.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace isr::cmdline::detail {

/// Throw isr::Error(ISCSI_ERR_INVAL, "cmdline: WHAT: WHY").
[[noreturn]] void bad(std::string_view what, const std::string &why);

/// `s` begins with `p`.
inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// Split `v` on ':' but keep "[...]" (IPv6) together, brackets removed;
/// throws (via bad(what, ...)) for a missing ']' or junk after it.
std::vector<std::string> fields(std::string_view v, std::string_view what);

/// An IPv4 or IPv6 address; "" gives an unset address.
net::IpAddress address(std::string_view what, const std::string &s);

/// A decimal number in [lo, hi].
uint32_t number(std::string_view what, std::string_view s, uint32_t lo, uint32_t hi);

/// Netmask as a prefix length ("24") or a dotted mask ("255.255.255.0");
/// "" gives 0.
uint8_t prefix(std::string_view what, const std::string &s);

} // namespace isr::cmdline::detail
