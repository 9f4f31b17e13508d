// rtnetlink (NETLINK_ROUTE) messages: the requests net::Rtnl (rtnl.hpp)
// sends and the replies it reads, as pure functions over byte buffers (no
// socket) so the unit tests check the exact bytes. Plain linux/rtnetlink.h,
// no library.
#pragma once

#include "nic_config.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isr::net {

/// One network interface as RTM_NEWLINK describes it.
struct Link {
    int index = 0;
    std::string name;
    std::optional<std::array<uint8_t, 6>> mac;      // IFLA_ADDRESS (Ethernet only)
    std::optional<std::array<uint8_t, 6>> perm_mac; // IFLA_PERM_ADDRESS (kernel >= 5.5)
    unsigned flags = 0;                             // IFF_* (ifi_flags)
    int carrier = -1;                               // IFLA_CARRIER: 0/1, -1 when absent
    int operstate = -1;                             // IFLA_OPERSTATE (IF_OPER_*), -1 when absent
    std::string kind;                               // IFLA_INFO_KIND ("vlan", "veth"), "" for hardware

    /// Whether the link has carrier: IFLA_CARRIER when the kernel sent it,
    /// else operstate UP (or UNKNOWN, which drivers without carrier
    /// reporting use).
    bool has_carrier() const;
    /// Whether the link is a stacked device that copies a lower device's
    /// MAC (kind vlan, macvlan, macvtap, ipvlan, ipvtap, bond, bridge,
    /// team); veth and hardware are not.
    bool stacked() const;
};

/// One address as RTM_NEWADDR describes it.
struct Address {
    int index = 0;                  // ifa_index
    IpAddress local;                // IFA_LOCAL (IPv4), else IFA_ADDRESS
    uint8_t prefix_len = 0;
    uint32_t flags = 0;             // IFA_F_* (IFA_FLAGS when sent, else ifa_flags)
    uint32_t valid_lft = 0xffffffffu;     // IFA_CACHEINFO, seconds; 0xffffffff = forever
    uint32_t preferred_lft = 0xffffffffu; // (also when the kernel sent no IFA_CACHEINFO)
};

/// Who manages the address iscsistart configured (see address_owner()).
enum class AddressOwner {
    OURS,     // still there with an infinite valid lifetime, as we added it
    FINITE,   // there, but with a finite valid lifetime: another DHCP client set it
    REPLACED, // gone, and another IPv4 address is on the interface
    GONE,     // gone, no IPv4 address left on the interface
};

/// Whether another program has taken over address `ours` on link `index`,
/// from the link's RTM_NEWADDR records `addrs` (other links' are
/// skipped). iscsistart adds its address without IFA_CACHEINFO, so with
/// an infinite lifetime; a network manager with its own DHCP client
/// (systemd-networkd, NetworkManager, dhclient, dhcpcd) adds or replaces
/// it with the lease's lifetime, or removes it and adds its own.
AddressOwner address_owner(const std::vector<Address> &addrs, int index, const IpAddress &ours);
/// "ours", "finite lifetime", "replaced by another address", "removed".
const char *address_owner_text(AddressOwner o);

namespace rtnl {

/// The longest interface name the kernel takes (IFNAMSIZ - 1).
constexpr std::size_t MAX_IFNAME = 15;

/// Fills a byte buffer with one netlink message: nlmsghdr, the family
/// header, then attributes, each padded to 4 bytes (NLMSG_ALIGN/RTA_ALIGN).
class MsgBuilder {
public:
    MsgBuilder(uint16_t type, uint16_t flags, uint32_t seq);
    /// Append the fixed family header (ifinfomsg, ifaddrmsg, rtmsg).
    void put(const void *data, std::size_t len);
    void attr(uint16_t type, const void *data, std::size_t len);
    void attr_u8(uint16_t type, uint8_t v) { attr(type, &v, 1); }
    void attr_u16(uint16_t type, uint16_t v) { attr(type, &v, 2); }
    void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, 4); }
    /// A NUL-terminated string attribute.
    void attr_str(uint16_t type, const std::string &s) { attr(type, s.c_str(), s.size() + 1); }
    /// Open a nested attribute; returns its offset for nest_end().
    std::size_t nest_begin(uint16_t type);
    void nest_end(std::size_t offset);
    /// The finished message (nlmsg_len set).
    const std::vector<uint8_t> &bytes() const { return buf_; }

private:
    std::vector<uint8_t> buf_;
};

// Request builders. All throw isr::Error(ISCSI_ERR_INVAL) on arguments the
// kernel would refuse anyway (unset address, prefix too long, bad VLAN id,
// bad interface name: empty, longer than IFNAMSIZ-1, "." or "..", or with
// '/', ':' or white space).

/// RTM_GETLINK dump of all links (NLM_F_REQUEST|NLM_F_DUMP).
std::vector<uint8_t> getlink_dump(uint32_t seq);
/// RTM_GETLINK for one link by index, or by name when `index` is 0.
std::vector<uint8_t> getlink(int index, const std::string &name, uint32_t seq);
/// RTM_SETLINK: set IFF_UP on link `index` (NLM_F_ACK).
std::vector<uint8_t> link_up(int index, uint32_t seq);
/// RTM_SETLINK: clear IFF_UP on link `index` (NLM_F_ACK).
std::vector<uint8_t> link_down(int index, uint32_t seq);
/// RTM_SETLINK on link `index` (NLM_F_ACK): IFLA_MTU when `mtu` != 0,
/// IFLA_ADDRESS when `mac` is set, IFLA_IFNAME when `new_name` is not
/// empty, in that order; flags are left alone. Refuses an MTU of 1..67
/// (below IPv4's minimum of 68 bytes) and a multicast or all-zero MAC.
std::vector<uint8_t> set_link(int index, uint32_t mtu, const std::optional<std::array<uint8_t, 6>> &mac,
                              const std::string &new_name, uint32_t seq);
/// RTM_NEWLINK creating VLAN `vid` (1..4094) named `name` on link `parent`:
/// IFLA_IFNAME, IFLA_LINK, IFLA_LINKINFO { IFLA_INFO_KIND "vlan",
/// IFLA_INFO_DATA { IFLA_VLAN_ID } } (NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL).
std::vector<uint8_t> new_vlan(int parent, const std::string &name, uint16_t vid, uint32_t seq);
/// RTM_NEWADDR: `addr`/`prefix_len` on link `index`, scope global,
/// IFA_LOCAL and IFA_ADDRESS (plus IFA_BROADCAST for IPv4 prefixes up to
/// /30, IFA_F_NODAD for IPv6: the firmware already used the address, and a
/// tentative address cannot reach the target) (NLM_F_ACK|CREATE|EXCL).
std::vector<uint8_t> new_addr(int index, const IpAddress &addr, uint8_t prefix_len, uint32_t seq);
/// RTM_NEWROUTE to `dest`/`prefix_len` out of link `index`, main table,
/// protocol boot, unicast (NLM_F_ACK|CREATE|EXCL). Attributes: RTA_DST
/// when prefix_len > 0 (host bits cleared: the kernel refuses them for
/// IPv4), RTA_GATEWAY when `gateway` is set (scope universe; unset: a
/// link-scope route, scope link), RTA_OIF. With prefix_len 0 `dest` may be
/// unset (a default route; its family is the gateway's). Refuses a
/// prefix_len > 0 without `dest`, neither `dest` nor `gateway` set,
/// different families, and a prefix longer than 32 (IPv4) or 128 (IPv6).
std::vector<uint8_t> new_route(int index, const IpAddress &dest, uint8_t prefix_len, const IpAddress &gateway,
                               uint32_t seq);
/// new_route() of the default route (dst_len 0) via `gateway`: RTA_GATEWAY
/// and RTA_OIF.
std::vector<uint8_t> new_default_route(int index, const IpAddress &gateway, uint32_t seq);

/// RTM_GETADDR dump of all IPv4 addresses (NLM_F_REQUEST|NLM_F_DUMP).
std::vector<uint8_t> getaddr_dump(uint32_t seq);
/// Parse one RTM_NEWADDR message; nullopt when it is not a well-formed
/// RTM_NEWADDR of an IPv4 or IPv6 address.
std::optional<Address> parse_addr(const uint8_t *msg, std::size_t len);

/// Parse one RTM_NEWLINK message (starting at its nlmsghdr, `len` bytes
/// available); nullopt when it is not a well-formed RTM_NEWLINK.
std::optional<Link> parse_link(const uint8_t *msg, std::size_t len);

/// An NLMSG_ERROR reply: `error` is 0 (ack) or a negative errno; `message`
/// the kernel's extended-ack text (NLMSGERR_ATTR_MSG), if any.
struct Ack {
    int error = 0;
    std::string message;
};
/// Parse one NLMSG_ERROR message; nullopt when it is not one or truncated.
std::optional<Ack> parse_ack(const uint8_t *msg, std::size_t len);

} // namespace rtnl

} // namespace isr::net
