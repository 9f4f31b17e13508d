// The iBFT's NICs as iscsistart's network settings: the one place where
// ibft/ types (which know nothing of iscsistart/) become net:: types
// (addresses are util/ip_address.hpp's in both).
#pragma once

#include "../ibft/ibft.hpp"
#include "net/nic_config.hpp"

#include <vector>

namespace isr {

/// The settings for one iBFT NIC: MAC, PCI device ("" when the table gives
/// 00:00.0, the host bridge, i.e. none), VLAN, address and prefix,
/// gateway, the DNS servers present, host name, and whether the firmware
/// used DHCP.
net::NicConfig nic_config(const ibft::Nic &n);

/// nic_config() of each ibft::boot_nics(t), in that order.
std::vector<net::NicConfig> boot_nic_configs(const ibft::Table &t);

} // namespace isr
