// The lease an initramfs script reads: /run/iscsiroot/<ifname>.lease, one
// shell-sourceable KEY='value' line per field.
#pragma once

#include "dhcp_packet.hpp"

#include <string>

namespace isr::dhcp {

/// `s` as one shell word in single quotes: every ' becomes '\'' so no value
/// can end the quoting ("it's" -> 'it'\''s').
std::string shell_quote(const std::string &s);

/// The lease file text: lines IP, PREFIX, NETMASK, GATEWAY (first router),
/// DNS (space separated), HOSTNAME, DOMAIN, ROOTPATH, MTU, BROADCAST,
/// INITIATOR, SERVER, LEASETIME (seconds), INTERFACE, each KEY='value'
/// (empty when the server did not send it). ROOTPATH has any credentials
/// masked (mask_uri_credentials): the file is world-readable.
std::string lease_text(const Lease &l, const std::string &ifname);

/// The record of a statically configured interface (the kernel command
/// line's ip=, or the iBFT): address, prefix, gateway (if set), DNS servers
/// and host name; no server, lease time or root path.
Lease static_lease(const IpAddress &address, uint8_t prefix_len, const IpAddress &gateway,
                   const std::vector<IpAddress> &dns, const std::string &hostname);

/// Write lease_text() to `<dir>/<ifname>.lease` (mode 0644) atomically: a
/// temporary file in `dir`, fsync, rename. Creates `dir` and its parents
/// (mode 0755) when missing. Throws isr::Error(ISCSI_ERR_INVAL) for an
/// interface name that is not a plain file name, isr::Error(ISCSI_ERR)
/// naming the path when it cannot be written.
void write_lease(const Lease &l, const std::string &ifname, const std::string &dir = "/run/iscsiroot");

} // namespace isr::dhcp
