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
/// INITIATOR, SERVER, LEASETIME (seconds), INTERFACE, then METHOD ("dhcp"
/// or "static", Lease::by_dhcp), RENEWTIME and REBINDTIME (options 58, 59,
/// seconds), CLIENTID (option 61 sent, lowercase hex) and BOUNDAT
/// (CLOCK_BOOTTIME seconds when the lease was requested, as /proc/uptime
/// counts), each KEY='value' (empty when the server did not send it).
/// ROOTPATH has any credentials masked (mask_uri_credentials): the file
/// is world-readable.
std::string lease_text(const Lease &l, const std::string &ifname);

/// The lease and interface name back from lease_text()'s output (what the
/// supervisor renews from). Lines it does not know are ignored; a value
/// that is not what lease_text() writes (bad quoting, an address or number
/// that does not parse) throws isr::Error(ISCSI_ERR_INVAL) naming the key.
/// ROOTPATH comes back masked, as written.
Lease parse_lease_text(const std::string &text, std::string &ifname);

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

/// write_lease() into the directory open as `dirfd` (which must exist;
/// for the supervisor, which reaches /run through /proc/1/root after
/// switch_root). `dir_name` only names it in errors.
void write_lease_at(const Lease &l, const std::string &ifname, int dirfd, const std::string &dir_name);

} // namespace isr::dhcp
