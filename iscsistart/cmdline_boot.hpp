// iscsistart --from-cmdline: the whole boot from the kernel command line
// (netroot=/root=iscsi:, rd.iscsi.*, ip=, Debian's iscsi_*): network
// bring-up (static or DHCP), then a login to every target named.
#pragma once

#include "cli/options.hpp"

namespace isr {

/// Parse o.cmdline_text (else /etc/iscsiroot.conf, dracut's
/// /etc/cmdline.d/*.conf and /proc/cmdline, in that order, the files only
/// when present), bring up the interfaces its
/// ip=/vlan=/ifname=/BOOTIF= parameters describe (DHCP on the first link
/// with carrier when none is given), write /run/iscsiroot/<if>.lease,
/// /run/iscsiroot/initiatorname.iscsi and /etc/resolv.conf, then log into
/// each target in command-line order (then the DHCP root path, then the
/// iBFT's with rd.iscsi.firmware), printing each disk's block device (a
/// target whose session exists already is not logged in again; its disks
/// are printed). Returns tally_status(): 0 when at least one login
/// succeeded and no target's session existed before, 15 when one did,
/// else the first failure's exit code; 21 when the command line names no iSCSI root, or netroot=dhcp
/// got no root path. Network failures throw isr::Error: ISCSI_ERR_TRANS (no
/// such interface or no carrier in rd.net.timeout.carrier seconds),
/// ISCSI_ERR_TRANS_TIMEOUT (no DHCP lease in rd.net.timeout.dhcp seconds),
/// ISCSI_ERR_INVAL (malformed parameter, named in the message).
int cmdline_boot(const cli::Options &o);

} // namespace isr
