// What the initramfs leaves for the real root's network managers so that
// they leave the boot interface (the iSCSI root's path) alone:
// systemd-networkd's /run/systemd/network/*.network (systemd.network(5):
// /run beats /etc and /usr/lib for a same-named file, and of all files the
// one whose name sorts first and matches the link wins) and
// NetworkManager's /run/NetworkManager/conf.d/*.conf
// (NetworkManager.conf(5): read after /usr/lib's and before /etc's
// conf.d; "+=" appends to a list key). /run survives switch_root.
// Text generation only; keep_network_file.cpp writes the files.
#pragma once

#include "util/ip_address.hpp"
#include "util/mac.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isr::handover {

/// One interface the initramfs configured for the root.
struct BootInterface {
    std::string ifname;                          // as the kernel names it now
    std::optional<Mac> mac;                       // its Ethernet address now, if any
    std::optional<Mac> perm_mac;                  // its permanent address, if the kernel tells
    bool dhcp = false;                           // address from DHCP (else static)
    IpAddress address;                      // the address in use
    uint8_t prefix_len = 0;
    IpAddress gateway;                      // unset: none
    std::vector<IpAddress> dns;
};

/// The networkd file's name: "10-iscsiroot-IFNAME.network" (sorts before
/// a distribution's or cloud image's catch-all, e.g. 50-cloud-init or
/// 80-dhcp.network).
std::string networkd_file_name(const std::string &ifname);

/// The NetworkManager file's name: "90-iscsiroot-IFNAME.conf".
std::string nm_file_name(const std::string &ifname);

/// A systemd.network(5) file (systemd 252 keys): [Match] MACAddress= and
/// Name=; [Network] KeepConfiguration=yes (networkd neither drops the
/// address it finds nor, on stop, the ones it set), no link-local or
/// IPv6 autoconfiguration, and for a DHCP boot DHCP=ipv4 with
/// [DHCPv4] ClientIdentifier=mac (the same client as the boot's, so the
/// server hands out the same address), for a static one Address=,
/// Gateway=, DNS=. Name= is left out when the name holds a glob character.
std::string networkd_text(const BootInterface &b);

/// A NetworkManager.conf(5) fragment: [keyfile] unmanaged-devices+= with
/// mac:ADDR (NetworkManager matches the permanent address: perm_mac,
/// else mac, when known) and interface-name:=IFNAME (exact, no glob).
std::string nm_text(const BootInterface &b);

/// Whether `cmdline` (a kernel command line) leaves keeping the network
/// on: yes without rd.iscsiroot.keep-network; with it, as cmdline::parse
/// reads it (the bare word, =1, yes, true, on: yes; any other value: no;
/// the last one counts). For -N, which parses no command line.
bool keep_network_wanted(const std::string &cmdline);

/// Write both files under `root` (default "/": /run/systemd/network and
/// /run/NetworkManager/conf.d, created mode 0755), each atomically (a
/// temporary file, fsync, rename; mode 0644). Throws isr::Error
/// (ISCSI_ERR_INVAL) for an interface name that is no plain file name,
/// isr::Error(ISCSI_ERR) naming the path when one cannot be written.
void write_keep_network(const BootInterface &b, const std::string &root = "/");

} // namespace isr::handover
