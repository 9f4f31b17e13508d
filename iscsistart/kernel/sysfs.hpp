// The sysfs side of the handoff: the transport handle, the host scan, and
// waiting for the disk's block device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace isr::kernel {

/// The iscsi_tcp transport handle from
/// /sys/class/iscsi_transport/tcp/handle, loading iscsi_tcp first when
/// absent. Throws isr::Error(ISCSI_ERR_TRANS_NOT_FOUND).
uint64_t tcp_transport_handle();

/// Write "- - -" to /sys/class/scsi_host/host<N>/scan (all channels,
/// targets and LUNs). Throws isr::Error(ISCSI_ERR_SYSFS_LOOKUP).
void scan_host(uint32_t host_no);

/// Block devices ("/dev/sda", ...) of session `sid`'s LUNs, waiting up to
/// `timeout_ms` for at least one. Returns them in LUN order; empty on
/// timeout. `lun` >= 0: only that LUN's device (Linux's LUN number, the
/// last field of H:C:T:L), waiting for it even when other LUNs are there.
std::vector<std::string> wait_for_disks(uint32_t sid, int timeout_ms, int64_t lun = -1);

} // namespace isr::kernel
