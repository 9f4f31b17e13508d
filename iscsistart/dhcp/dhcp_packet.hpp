// DHCPv4 messages (RFC 2131, options RFC 2132 and RFC 3396; option 203 is
// iPXE's iSCSI initiator IQN, a site-specific code per RFC 3942) and the
// IPv4/UDP framing a client on an AF_PACKET socket needs. Pure
// functions over byte buffers, no I/O: dhcp_client.cpp does the sockets,
// the unit tests and the fuzz target call these directly.
#pragma once

#include "../net/nic_config.hpp"
#include "util/mac.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isr::dhcp {

using Bytes = std::vector<uint8_t>;
using Mac = isr::Mac;

constexpr uint16_t SERVER_PORT = 67;
constexpr uint16_t CLIENT_PORT = 68;
/// Offset of the magic cookie (after the fixed BOOTP header), RFC 2131 3.
constexpr std::size_t COOKIE_OFFSET = 236;
/// Smallest message we send (BOOTP's 300 bytes, RFC 1542 2.1).
constexpr std::size_t MIN_MESSAGE = 300;
/// Option 57 value we announce (RFC 2132 9.10).
constexpr uint16_t MAX_MESSAGE_SIZE = 1500;

/// Option 53 values (RFC 2132 9.6).
enum MessageType : uint8_t {
    DHCPDISCOVER = 1,
    DHCPOFFER = 2,
    DHCPREQUEST = 3,
    DHCPDECLINE = 4,
    DHCPACK = 5,
    DHCPNAK = 6,
    DHCPRELEASE = 7,
    DHCPINFORM = 8,
};

/// What a server's OFFER, ACK or NAK says. Unset addresses / empty strings
/// / 0 mean the option was absent (or malformed and dropped, see
/// `warnings`).
struct Lease {
    MessageType type = DHCPNAK;
    net::IpAddress your_ip;                 // yiaddr
    uint8_t prefix_len = 0;                 // from option 1; 0 = no mask
    std::vector<net::IpAddress> routers;    // option 3
    std::vector<net::IpAddress> dns;        // option 6
    std::string hostname;                   // option 12
    std::string domain;                     // option 15
    std::string root_path;                  // option 17 (RFC 4173 syntax, e.g. "iscsi:10.0.0.1::::iqn...")
    uint16_t mtu = 0;                       // option 26
    net::IpAddress broadcast;               // option 28
    std::string initiator_name;             // option 203 (iPXE's DHCP_ISCSI_INITIATOR_IQN)
    net::IpAddress server_id;               // option 54
    uint32_t lease_time = 0;                // option 51, seconds (0xffffffff = infinite)
    uint32_t renew_time = 0;                // option 58 (T1), seconds; 0 = absent
    uint32_t rebind_time = 0;               // option 59 (T2), seconds; 0 = absent
    std::string message;                    // option 56 (mostly with NAK)
    // Not from the message: set by dhcp_acquire() and the lease file.
    bool by_dhcp = false;                   // the interface was configured from this DHCP lease
    Bytes client_id;                        // option 61 we sent (empty: client_id_of(chaddr))
    long bound_at_s = -1;                   // CLOCK_BOOTTIME seconds when the REQUEST was sent; -1 unknown
    /// One line per optional option that was malformed and dropped, e.g.
    /// "dhcp: ignoring interface MTU (option 26): 67 is below 68"; the
    /// caller logs them (parse_reply() prints nothing).
    std::vector<std::string> warnings;
};

/// A DHCPDISCOVER (RFC 2131 4.4.1): BOOTP request header with the broadcast
/// flag, `xid`, `secs` (seconds since we started), chaddr `mac`; options 53,
/// 61 (0x01 + MAC), 57 (1500), 55 (1 3 6 12 15 17 26 28 203), end; padded to
/// 300 bytes. No UDP/IP headers.
Bytes build_discover(const Mac &mac, uint32_t xid, uint16_t secs);

/// A DHCPREQUEST in SELECTING state (RFC 2131 4.3.2): as build_discover plus
/// option 50 `requested` and 54 `server_id`; ciaddr stays 0. Throws
/// isr::Error(ISCSI_ERR_INVAL) when either address is not a set IPv4 one.
Bytes build_request(const Mac &mac, uint32_t xid, uint16_t secs, const net::IpAddress &requested,
                    const net::IpAddress &server_id);

/// The client identifier (option 61) build_discover() and build_request()
/// send: type 1 (Ethernet) and the MAC (RFC 2132 9.14).
Bytes client_id_of(const Mac &mac);

/// A DHCPREQUEST in RENEWING or REBINDING state (RFC 2131 4.3.2, 4.4.5):
/// ciaddr = `ciaddr` (our bound address), no broadcast flag (we can take
/// a unicast reply), no requested-IP (50) and no server identifier (54)
/// option (RFC 2131 table 4); option 61 is `client_id` (the boot's, as
/// the lease file has it; empty: client_id_of(mac)), then 57 and 55 as in
/// build_discover. The caller sends it unicast to the server (RENEWING)
/// or broadcast (REBINDING). Throws isr::Error(ISCSI_ERR_INVAL) when
/// `ciaddr` is not a set IPv4 address or `client_id` is longer than 255
/// bytes.
Bytes build_renew(const Mac &mac, uint32_t xid, uint16_t secs, const net::IpAddress &ciaddr,
                  const Bytes &client_id = {});

/// Parse a server reply (the UDP payload). Checks op = 2 (BOOTREPLY),
/// htype/hlen Ethernet, `xid`, chaddr = `mac`, the magic cookie; gathers
/// options from the options field and, per option 52 (overload), the file
/// and sname fields, concatenating repeated options (RFC 3396). Every
/// length is bounds-checked.
///
/// What rejects the whole message (isr::Error(ISCSI_ERR_INVAL), one line
/// naming the field or option): a header that is not ours, an option area
/// that cannot be walked (a length past its end, a bad option 52), option
/// 53 missing, malformed or not OFFER/ACK/NAK, and for OFFER and ACK a
/// yiaddr that is not a usable unicast address, option 54 missing or
/// malformed, or a malformed option 51 (see parse_reply() in the .cpp for
/// why these and no others).
/// Every other option we read (1, 3, 6, 12, 15, 17, 26, 28, 56, 58, 59,
/// 203) is
/// optional: a malformed one (wrong length, MTU below 68, a non-contiguous
/// mask, text with control characters or embedded NULs) is dropped, as if
/// absent, with one line in Lease::warnings; options we do not read are
/// skipped unchecked.
Lease parse_reply(const uint8_t *data, std::size_t len, uint32_t xid, const Mac &mac);

/// The prefix length of IPv4 netmask `mask` (network byte order bytes);
/// nullopt when the mask is not contiguous ones then zeros.
std::optional<uint8_t> mask_prefix(const uint8_t mask[4]);
/// The netmask for `prefix_len` (0..32) as a set IPv4 address.
net::IpAddress prefix_mask(uint8_t prefix_len);

/// Internet checksum (RFC 1071) of `len` bytes, folded and complemented;
/// `sum` is a partial sum to start from (for pseudo-headers).
uint16_t inet_checksum(const uint8_t *data, std::size_t len, uint32_t sum = 0);

/// Wrap `payload` in an IPv4 header (0.0.0.0 -> 255.255.255.255, TTL 64,
/// header checksum) and a UDP header (68 -> 67, with checksum), the frame
/// payload for an AF_PACKET SOCK_DGRAM socket (RFC 2131 4.1).
Bytes frame_request(const Bytes &payload);

/// The UDP payload of an IPv4 packet (as an AF_PACKET SOCK_DGRAM socket
/// delivers it) when it is an unfragmented UDP datagram to port 68 with a
/// valid IP header checksum and consistent lengths; nullopt otherwise. The
/// result points into `pkt`: {offset, length}. The UDP checksum is not
/// checked (offloaded packets on veth/virtio arrive without one).
std::optional<std::pair<std::size_t, std::size_t>> udp_payload(const uint8_t *pkt, std::size_t len);

/// The xid of a BOOTP message, nullopt when it is too short to hold one.
std::optional<uint32_t> message_xid(const uint8_t *data, std::size_t len);

} // namespace isr::dhcp
