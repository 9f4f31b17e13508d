// An IPv4 or IPv6 address as the parsers hand it on: from the iBFT, the
// kernel command line, DHCP and sysfs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace isr {

/// An IPv4 or IPv6 address in network byte order.
struct IpAddress {
    int family = 0;                  // AF_INET or AF_INET6; 0 = unset
    std::array<uint8_t, 16> bytes{}; // first 4 bytes used for AF_INET

    bool set() const { return family != 0; }
    /// "10.0.0.1" / "fd00::1" (inet_ntop); "" when unset.
    std::string text() const;
    /// Parse IPv4 or IPv6 text (inet_pton); nullopt for anything else,
    /// including text with a NUL inside.
    static std::optional<IpAddress> parse(const std::string &s);
    bool operator==(const IpAddress &) const = default;
};

} // namespace isr
