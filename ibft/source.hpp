// Finding the iBFT on this machine.
#pragma once

#include "ibft.hpp"

#include <functional>
#include <string>

namespace isr::ibft {

/// Loads a kernel module by name (e.g. "iscsi_ibft"); failures are the
/// callee's to report.
using ModuleLoader = std::function<void(const std::string &name)>;

/// Read the iBFT, trying in order:
///  1. the raw ACPI table, /sys/firmware/acpi/tables/{iBFT,IBFT,BIFT};
///  2. the kernel's view in /sys/firmware/ibft/ (when the directory is
///     missing, `load_module("iscsi_ibft")` is called first, if given);
///  3. a scan of low memory (0x80000-0xFFFFF, 16-byte steps) through
///     /dev/mem, as the kernel's own early scan does on BIOS machines.
/// `where` receives the source used. Throws isr::Error:
/// ISCSI_ERR_NO_OBJS_FOUND (21) when no source has a table,
/// ISCSI_ERR_INVAL (7) when the table found is malformed.
Table load(std::string &where, const ModuleLoader &load_module = {});

/// Read the iBFT from `path`: a raw table file, or a directory laid out
/// like /sys/firmware/ibft/. Throws isr::Error like load().
Table load_from(const std::string &path);

/// Build a Table from an iscsi_ibft-style sysfs directory (`root` ends
/// with '/'). Missing attributes are left at their defaults. Throws
/// isr::Error(ISCSI_ERR_NO_OBJS_FOUND) when `root` has no entries.
Table from_sysfs(const std::string &root);

} // namespace isr::ibft
