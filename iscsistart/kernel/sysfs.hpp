// The sysfs side of the handoff: the transport handle, the host scan, and
// waiting for the disk's block device.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace isr::kernel {

/// The iscsi_tcp transport handle from
/// /sys/class/iscsi_transport/tcp/handle, loading iscsi_tcp first when
/// absent. Throws isr::Error(ISCSI_ERR_TRANS_NOT_FOUND).
uint64_t tcp_transport_handle();

/// Write "- - -" to /sys/class/scsi_host/host<N>/scan (all channels,
/// targets and LUNs). Throws isr::Error(ISCSI_ERR_SYSFS_LOOKUP).
/// Always all LUNs, even when the root's LUN is known: the real root may
/// use the target's other LUNs, and nothing scans the session again
/// after the switch (a "- - LUN" scan would save only the REPORT LUNS
/// and the other LUNs' probes, ~10-20 ms under QEMU TCG).
void scan_host(uint32_t host_no);

/// Whether /proc/crypto's text `proc_crypto` lists an algorithm `name`
/// (a "name : NAME" line, as the crypto API's crypto_alloc_*("NAME")
/// would find it).
bool crypto_listed(std::string_view proc_crypto, std::string_view name);

/// Whether the kernel crypto API has algorithm `name` now (/proc/crypto):
/// then loading a module for it (e.g. the "crc32c" alias, whose first
/// candidate may be a driver this CPU cannot run) can be skipped. False
/// when /proc/crypto cannot be read.
bool crypto_present(std::string_view name);

/// Block devices ("/dev/sda", ...) of session `sid`'s LUNs, waiting up to
/// `timeout_ms` for at least one. Returns them in LUN order; empty on
/// timeout. `lun` >= 0: only that LUN's device (Linux's LUN number, the
/// last field of H:C:T:L), waiting for it even when other LUNs are there.
std::vector<std::string> wait_for_disks(uint32_t sid, int timeout_ms, int64_t lun = -1);

} // namespace isr::kernel
