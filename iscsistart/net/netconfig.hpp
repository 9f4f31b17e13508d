// Bring up the boot NIC described by a NicConfig: find it by MAC (loading
// its PCI driver if needed), optional VLAN, address, default route, and
// resolv.conf. Also the parts for other callers: wait for a link by name,
// MAC or carrier (loading network drivers), configure an address and
// default route on a link.
#pragma once

#include "nic_config.hpp"
#include "rtnl.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isr::net {

/// Which link wait_for_link() waits for: by name when `name` is set (and
/// then `mac`, when set, must be its MAC), else by MAC when `mac` is set,
/// else the first Ethernet link with carrier.
struct LinkWanted {
    std::string name;
    std::optional<std::array<uint8_t, 6>> mac;
};

/// Wait up to `timeout_ms` (ms; polling every 20 ms) for the link `w`
/// describes and return it as the kernel describes it now. Each poll first
/// loads, through libkmod, the drivers of the PCI network controllers
/// (class 0x02) that have none bound, and of their child devices (the
/// virtio device of virtio_pci needs virtio_net); each modalias only once.
///
/// Without name and MAC every candidate link (one with a MAC, not
/// loopback, not stacked: see Link::stacked()) that is down is set up, and
/// the one with the lowest ifindex that has carrier is returned; the
/// others stay up. Logs one line when found.
///
/// Errors (isr::Error): ISCSI_ERR_TRANS when nothing matches within
/// timeout_ms (one line naming what was waited for and how long; for the
/// carrier wait the interfaces seen without carrier); ISCSI_ERR_INVAL when
/// the link named w.name has another MAC than w.mac, or w.name is not a
/// valid interface name; ISCSI_ERR_ACCESS when not permitted;
/// ISCSI_ERR_INTERNAL when the kernel cannot be asked.
Link wait_for_link(Rtnl &nl, const LinkWanted &w, int timeout_ms);

/// Set `dev` up, add `addr`/`prefix_len` when `addr` is set and a default
/// route via `gateway` when that is set; logs one line ("eth0: link up,
/// 10.0.0.2/24, default via 10.0.0.1"). An existing address or default
/// route is not an error. Errors as Rtnl (ISCSI_ERR_INVAL for a prefix
/// too long for the address or a gateway of another family).
void configure_link(Rtnl &nl, const Link &dev, const IpAddress &addr, uint8_t prefix_len, const IpAddress &gateway);

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
/// libkmod unless one is bound; wait for the interface (polling every
/// 20 ms); when c.vlan != 0 set it up and create VLAN "<name>.<vid>"; then
/// configure_link() the interface or VLAN with c.address/c.prefix_len and
/// c.gateway; wait for carrier (no carrier only logs a warning).
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
