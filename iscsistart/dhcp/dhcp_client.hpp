// A DHCPv4 client for boot (RFC 2131): DISCOVER -> OFFER -> REQUEST -> ACK
// on a raw AF_PACKET socket, so it works on an interface without an
// address. It only acquires a lease; configuring the interface from it is
// the caller's job (see net::configure_nic).
#pragma once

#include "dhcp_packet.hpp"

#include <string>

namespace isr::dhcp {

/// Acquire a lease on `ifname`, which must be up (it need not have an
/// address). Sends IPv4/UDP frames 0.0.0.0:68 -> 255.255.255.255:67 with the
/// broadcast flag and takes the first valid OFFER; a NAK restarts from
/// DISCOVER after 1 s; REQUEST goes back to DISCOVER after 4 unanswered
/// tries. Retransmission every 1, 2, 4, 8, 8 ... s, each +/-25% (RFC 2131
/// 4.1), everything bounded by `timeout_ms` (milliseconds, > 0). The
/// REQUEST repeats the DISCOVER's xid and secs (RFC 2131 4.4.1); the
/// protocol steps are dhcp::Exchange's. Logs one line per step ("eth0:
/// DHCP offer 10.0.0.5 from 10.0.0.1") and one "warning:" line per
/// malformed option the ACK's parse dropped (Lease::warnings).
///
/// Returns the ACK's lease (type DHCPACK). Errors (isr::Error):
/// ISCSI_ERR_TRANS_TIMEOUT "eth0: no DHCP answer in N s" when no ACK comes
/// in time; ISCSI_ERR_INVAL for a bad timeout or a non-Ethernet interface;
/// ISCSI_ERR_TRANS when the interface does not exist or is down;
/// ISCSI_ERR_ACCESS when raw sockets are not permitted (not root);
/// ISCSI_ERR_INTERNAL for other socket failures.
Lease dhcp_acquire(const std::string &ifname, int timeout_ms);

} // namespace isr::dhcp
