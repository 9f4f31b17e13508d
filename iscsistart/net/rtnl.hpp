// A small rtnetlink (NETLINK_ROUTE) client: find a link by MAC, set it up,
// change its MTU, MAC or name, create a VLAN device, add an address and
// routes, read carrier.
// Plain linux/rtnetlink.h, no library. Message building and parsing are
// pure functions over byte buffers (see namespace rtnl) so the unit tests
// check the exact bytes; class Rtnl does the socket I/O.
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

/// "aa:bb:cc:dd:ee:ff" (lower case).
std::string mac_text(const std::array<uint8_t, 6> &mac);
/// Parse "aa:bb:cc:dd:ee:ff" (either case); nullopt otherwise.
std::optional<std::array<uint8_t, 6>> parse_mac(const std::string &s);

namespace rtnl {

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

/// An open NETLINK_ROUTE socket (closed by the destructor). Requests wait
/// for the kernel's reply at most 5 s. Errors are isr::Error with a one-line
/// message naming the operation and interface: ISCSI_ERR_ACCESS when not
/// permitted (EPERM), ISCSI_ERR_INTERNAL for other refusals and timeouts.
class Rtnl {
public:
    Rtnl();
    ~Rtnl();
    Rtnl(const Rtnl &) = delete;
    Rtnl &operator=(const Rtnl &) = delete;

    /// All links (RTM_GETLINK dump).
    std::vector<Link> links();
    /// The link whose MAC (or permanent MAC) is `mac`. Hardware and other
    /// plain devices win over a device of kind veth etc.; stacked devices
    /// that copy a lower device's MAC (vlan, macvlan, bond, bridge, team,
    /// ipvlan, macvtap) are never returned.
    std::optional<Link> link_by_mac(const std::array<uint8_t, 6> &mac);
    /// One link by index or name; nullopt when there is no such link.
    std::optional<Link> link_by_index(int index);
    std::optional<Link> link_by_name(const std::string &name);

    /// Set the link administratively up.
    void set_up(const Link &link);
    /// Set the link's MTU (bytes; 0 = leave alone), MAC (nullopt = leave
    /// alone) and name ("" = leave alone) in one RTM_SETLINK. A MAC or name
    /// equal to the current one is no change; nothing to change sends no
    /// request. For a MAC or name change an up link is set down first (the
    /// kernel refuses to rename an up link, many drivers refuse a new MAC
    /// while up) and left down: the caller sets it up again. Logs one line.
    /// ISCSI_ERR_INVAL as rtnl::set_link(), before anything is changed;
    /// ISCSI_ERR_INTERNAL when the link has gone or the kernel refuses
    /// (e.g. the name is taken).
    void set_link(const Link &link, uint32_t mtu, const std::optional<std::array<uint8_t, 6>> &mac,
                  const std::string &new_name);
    /// Create VLAN `vid` on `parent` named `name`, or when `name` is empty
    /// "<parent>.<vid>" (or "vlan<vid>" when that exceeds 15 characters),
    /// and return it; an existing VLAN device of that name is returned as
    /// is. Loads 8021q through libkmod when the kernel does not know the
    /// "vlan" kind.
    Link create_vlan(const Link &parent, uint16_t vid, const std::string &name = "");
    /// Add `addr`/`prefix_len` to the link; an existing address is success.
    void add_address(const Link &link, const IpAddress &addr, uint8_t prefix_len);
    /// Add a route to `dest`/`prefix_len` (prefix 0: the default route) via
    /// `gateway` (unset: a link-scope route) out of the link (main table),
    /// see rtnl::new_route(); an existing route is success.
    void add_route(const Link &link, const IpAddress &dest, uint8_t prefix_len, const IpAddress &gateway);
    /// add_route() of the default route via `gateway`.
    void add_default_route(const Link &link, const IpAddress &gateway);
    /// Whether link `index` has carrier (false when it has gone).
    bool carrier(int index);

private:
    enum class Mode { ACK, GET, DUMP };
    // Send `req` and read replies until the request is answered. Returns
    // the kernel's errno (0 on success) and fills `links` from RTM_NEWLINK
    // replies; `ext` gets the extended-ack text.
    int transact(const std::vector<uint8_t> &req, Mode mode, const std::string &what, std::vector<Link> *links,
                 std::string *ext);
    // transact() in ACK mode; throws on errors other than `ok_errno`.
    void request(const std::vector<uint8_t> &req, const std::string &what, int ok_errno = 0);

    int fd_ = -1;
    uint32_t seq_ = 0;
};

} // namespace isr::net
