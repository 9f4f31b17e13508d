// Finding the iBFT on this machine.
#pragma once

#include "ibft.hpp"

#include <string>

namespace isr::ibft {

/// Read the iBFT, trying in order:
///  1. the raw ACPI table, /sys/firmware/acpi/tables/{iBFT,IBFT,BIFT};
///  2. the kernel's view in /sys/firmware/ibft/ (iscsi_ibft is loaded
///     through libkmod first when the directory is missing);
///  3. a scan of low memory (0x80000-0xFFFFF, 16-byte steps) through
///     /dev/mem, as the kernel's own early scan does on BIOS machines.
/// `where` receives the source used. Throws isr::Error:
/// ISCSI_ERR_NO_OBJS_FOUND (21) when no source has a table,
/// ISCSI_ERR_INVAL (7) when the table found is malformed.
Table load(std::string &where);

/// Read the iBFT from `path`: a raw table file, or a directory laid out
/// like /sys/firmware/ibft/. Throws isr::Error like load().
Table load_from(const std::string &path);

/// Build a Table from an iscsi_ibft-style sysfs directory (`root` ends
/// with '/'). Missing attributes are left at their defaults. Throws
/// isr::Error(ISCSI_ERR_NO_OBJS_FOUND) when `root` has no entries.
Table from_sysfs(const std::string &root);

} // namespace isr::ibft
