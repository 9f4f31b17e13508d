// What the kernel command line asks of the network, as a list of
// interfaces to bring up: which NIC (by name, MAC or "first with
// carrier"), its rename, MTU and MAC, a VLAN on top, and static or DHCP
// addressing. Pure: cmdline_boot.cpp does the rtnetlink and DHCP I/O.
#pragma once

#include "cmdline.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace isr::cmdline {

struct InterfacePlan {
    // The physical NIC. Both empty: the first Ethernet link with carrier.
    std::string nic_name;                        // wait for this name
    std::optional<std::array<uint8_t, 6>> nic_mac; // ... or this MAC (ifname=, BOOTIF=)
    std::string rename_to;                       // ifname=NAME:MAC: the NIC's name to be
    uint32_t mtu = 0;                            // ip= MTU field, 0 = leave alone
    std::optional<std::array<uint8_t, 6>> set_mac; // ip= MAC field: give the NIC this MAC
    uint16_t vlan_id = 0;                        // vlan=NAME:PARENT named by ip=, 0 = none
    std::string vlan_name;
    IpConfig::Method method = IpConfig::DHCP;    // STATIC or DHCP (others are refused)
    net::IpAddress address, gateway;             // STATIC only
    uint8_t prefix_len = 0;
    std::string hostname;
    std::vector<net::IpAddress> dns;
    std::vector<Route> routes;                   // rd.route= for this interface

    /// The name the configured interface will have, for logs and lease
    /// files: the VLAN name, else the rename, else the NIC name ("" when
    /// only known after the carrier wait).
    std::string final_name() const;
};

/// The interfaces to bring up, in ip= order. No ip= entry but a target
/// (netroot=/root=iscsi:, netroot=dhcp, Debian's iscsi_target_*): one DHCP
/// interface, the BOOTIF= MAC when given, else the first with carrier.
/// ip=ibft entries give no entry, and with the iBFT in use (ip=ibft,
/// rd.iscsi.firmware, iscsi_auto) there is no default DHCP entry: the iBFT
/// describes the network. ip=off / ip=none leaves the network alone (no
/// default DHCP entry). rd.route= entries naming an
/// interface go to it, the others to the first entry.
/// Throws isr::Error(ISCSI_ERR_INVAL) naming the parameter for what
/// iscsistart cannot do (ip=dhcp6, ip=auto6), two ip= entries for one
/// interface, or an rd.route= whose interface no ip= entry brings up.
std::vector<InterfacePlan> plan_network(const BootConfig &b);

} // namespace isr::cmdline
