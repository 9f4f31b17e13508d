// Bring up the boot NIC described by a NicConfig: find it by MAC (loading
// its PCI driver if needed), optional VLAN, address, default route, and
// resolv.conf.
#pragma once

#include "nic_config.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace isr::net {

/// The name of the interface whose MAC is `mac` ("eth0"), or "" when there
/// is none or the kernel cannot be asked. Never throws isr::Error.
std::string ifname_by_mac(const std::array<uint8_t, 6> &mac);

/// Step 1 of configure_nic() alone: find the interface with MAC c.mac,
/// loading c.pci_bdf's driver and waiting up to `timeout_ms` (polling every
/// 20 ms) when it is not there yet; returns its name and changes nothing
/// else. Errors as configure_nic().
std::string ensure_nic_driver(const NicConfig &c, int timeout_ms);

/// Configure the NIC whose MAC is c.mac and return the name of the
/// interface that carries c.address (the VLAN device when c.vlan != 0).
///
/// Steps, each logged in one line: find the interface by MAC; if absent and
/// c.pci_bdf is set, load the driver for /sys/bus/pci/devices/<bdf>/modalias
/// (and for the modaliases of its child devices, e.g. virtio) through
/// libkmod; wait for the interface (polling every 20 ms); set it up; create
/// and set up VLAN "<name>.<vid>" when c.vlan != 0; add c.address/
/// c.prefix_len when set; add a default route via c.gateway when set; wait
/// for carrier (no carrier only logs a warning).
///
/// `timeout_ms` bounds each of the two waits (interface, carrier), so the
/// call takes at most about 2 * timeout_ms plus the kernel's replies.
/// Errors (isr::Error): ISCSI_ERR_TRANS when no interface with the MAC
/// appears within timeout_ms (the message names the MAC as aa:bb:cc:dd:ee:ff
/// and the wait); ISCSI_ERR_INVAL for a bad prefix length or VLAN id;
/// ISCSI_ERR_ACCESS when not permitted; ISCSI_ERR_INTERNAL when the kernel
/// refuses a request. An address or default route that already exists is
/// not an error.
std::string configure_nic(const NicConfig &c, int timeout_ms);

/// Write "nameserver X" lines for the set addresses in `dns` to `path`
/// (replacing it atomically; parent directories are created, mode 0755).
/// Does nothing when `dns` holds no set address. Throws
/// isr::Error(ISCSI_ERR) naming the path when it cannot be written.
void write_resolv_conf(const std::vector<IpAddress> &dns, const std::string &path = "/etc/resolv.conf");

} // namespace isr::net
