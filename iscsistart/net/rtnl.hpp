// A small rtnetlink (NETLINK_ROUTE) client: find a link by MAC, set it up,
// change its MTU, MAC or name, create a VLAN device, add an address and
// routes, read carrier. The socket I/O only: the messages it sends and
// reads are built and parsed in rtnl_msg.hpp.
#pragma once

#include "rtnl_msg.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isr::net {

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
    /// All IPv4 addresses (RTM_GETADDR dump).
    std::vector<Address> addresses();
    /// Whether link `index` has carrier (false when it has gone).
    bool carrier(int index);

private:
    enum class Mode { ACK, GET, DUMP };
    // Send `req` and read replies until the request is answered. Returns
    // the kernel's errno (0 on success) and fills `links` from RTM_NEWLINK
    // replies; `ext` gets the extended-ack text.
    int transact(const std::vector<uint8_t> &req, Mode mode, const std::string &what, std::vector<Link> *links,
                 std::string *ext, std::vector<Address> *addrs = nullptr);
    // transact() in ACK mode; throws on errors other than `ok_errno`.
    void request(const std::vector<uint8_t> &req, const std::string &what, int ok_errno = 0);

    int fd_ = -1;
    uint32_t seq_ = 0;
};

} // namespace isr::net
