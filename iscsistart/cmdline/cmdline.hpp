// The kernel command line as an iSCSI-root configuration: dracut's
// netroot=/root=iscsi:, rd.iscsi.*, ip=, ifname=, vlan=, BOOTIF=,
// rd.route=, nameserver=; RFC 4173 root paths; Debian's iscsi_*.
// Pure parsing (docs/cmdline.md lists every accepted form): cmdline.cpp
// dispatches the words, netroot_uri.cpp parses iscsi: URIs, ip_param.cpp
// ip=, fields.hpp holds the grammar pieces they share.
#pragma once

#include "../net/nic_config.hpp"
#include "util/secret.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr::cmdline {

/// One ip= entry (kernel nfsroot form or dracut's forms).
struct IpConfig {
    // OFF: ip=off / ip=none alone, the kernel's "no autoconfiguration":
    // the network is someone else's (an earlier hook), iscsistart leaves it.
    enum Method { STATIC, DHCP, DHCP6, AUTO6, IBFT, OFF };
    Method method = STATIC;
    std::string ifname;             // "" = the first interface with a link
    net::IpAddress client, peer, gateway;
    uint8_t prefix_len = 0;
    std::string hostname;
    uint32_t mtu = 0;               // 0 = leave alone
    std::optional<std::array<uint8_t, 6>> mac;
    std::vector<net::IpAddress> dns;
};

/// One iSCSI target from netroot=/root=iscsi:, an RFC 4173 root path,
/// or Debian's iscsi_target_* parameters.
struct Target {
    std::string server;             // host name or address, no brackets
    uint16_t port = 3260;
    uint64_t lun = 0;
    bool lun_given = false;         // the LUN field was not empty: only that LUN is the root
    std::string target_name;        // empty: every target SendTargets discovery finds at the portal
    std::string iface, netdev;      // dracut's optional iface and netdev (netdev: SO_BINDTODEVICE)
    int tpgt = -1;
    std::string username, username_in;
    Secret password, password_in;
};

struct Vlan {
    std::string name;               // e.g. "eth0.100" or "vlan100"
    std::string parent;             // e.g. "eth0"
    uint16_t id = 0;
};

struct Route {
    net::IpAddress dest;
    uint8_t prefix_len = 0;
    net::IpAddress gateway;
    std::string ifname;
};

struct BootConfig {
    std::vector<Target> targets;    // in command-line order
    bool root_path_from_dhcp = false; // netroot=dhcp / root=dhcp
    bool use_ibft = false;          // rd.iscsi.firmware, rd.iscsi.ibft, ip=ibft, iscsi_auto
    int supervise = -1;             // rd.iscsiroot.supervise=0|1 (-1: not given)
    bool keep_network = true;       // rd.iscsiroot.keep-network=0: no files for the root's network managers
    std::string initiator;          // rd.iscsi.initiator / iscsi_initiator
    std::string username, username_in; // rd.iscsi.username / in.username (all targets)
    Secret password, password_in;
    std::vector<std::pair<std::string, std::string>> params; // rd.iscsi.param=NAME=VALUE
    int login_retry_max = -1;       // rd.iscsi.login_retry_max
    bool waitnet = true;            // rd.iscsi.waitnet
    int carrier_timeout_s = 10;     // rd.net.timeout.carrier: wait for a link / its carrier
    int dhcp_timeout_s = 30;        // rd.net.timeout.dhcp: wait for a DHCP lease
    std::vector<IpConfig> ips;
    std::vector<std::pair<std::string, std::array<uint8_t, 6>>> ifnames; // ifname=NAME:MAC
    std::vector<Vlan> vlans;
    std::optional<std::array<uint8_t, 6>> bootif; // BOOTIF=01-aa-bb-cc-dd-ee-ff
    std::vector<Route> routes;
    std::vector<net::IpAddress> nameservers;
    std::vector<std::string> unknown; // rd.iscsi.* / iscsi_* names we do not know (typos?)

    /// True when the command line asks for an iSCSI root at all.
    bool wants_iscsi() const { return !targets.empty() || root_path_from_dhcp || use_ibft; }
};

/// Split a command line into words; double quotes group (and are removed).
std::vector<std::string> split(std::string_view cmdline);

/// Parse a whole kernel command line. Unrelated parameters are ignored.
/// Throws isr::Error(ISCSI_ERR_INVAL) with a one-line message naming the
/// parameter and the reason for a malformed value of a parameter we own.
BootConfig parse(std::string_view cmdline);

/// Parse "iscsi:[user:pass[:in_user:in_pass]@][server]:[proto]:[port]
/// [:[iface]:[netdev]]:[LUN]:targetname" (dracut), which includes RFC 4173
/// root paths ("iscsi:server:proto:port:LUN:target", LUN in hex with
/// optional dashes). IPv6 servers go in brackets. Throws isr::Error
/// (ISCSI_ERR_INVAL) naming `what` (e.g. "netroot").
Target parse_iscsi_uri(std::string_view uri, const char *what);

/// The Linux LUN number (H:C:T:L's last field) of an RFC 4173 LUN field's
/// value: up to 0xffff it is the LUN itself ("1", "a"); a full 8-byte SAM
/// LUN ("0001-0000-0000-0000") is decoded by its address method
/// (peripheral: byte 1; flat space: 14 bits; others: the 64-bit value).
uint64_t linux_lun(uint64_t rfc4173_lun);

/// Parse one ip= value. Throws isr::Error(ISCSI_ERR_INVAL).
IpConfig parse_ip(std::string_view value);

} // namespace isr::cmdline
