// How one boot NIC is to be configured (from the iBFT today; from the
// kernel command line or DHCP later). Plain data, filled by parsers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/ip_address.hpp"

namespace isr::net {

using isr::IpAddress;

struct NicConfig {
    std::array<uint8_t, 6> mac{};   // the NIC to configure, found by MAC
    std::string pci_bdf;            // "0000:00:03.0" or "" (to load its driver via modalias)
    uint16_t vlan = 0;              // 802.1Q VLAN id, 0 = untagged
    IpAddress address;              // unset: leave addressing alone
    uint8_t prefix_len = 0;         // e.g. 24
    IpAddress gateway;              // unset: no default route
    std::vector<IpAddress> dns;     // written to resolv.conf
    std::string hostname;           // optional
    bool dhcp = false;              // the firmware got its address by DHCP (we still apply `address`)
};

} // namespace isr::net
