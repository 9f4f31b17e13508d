// Where a --from-cmdline boot reads its words: /etc/iscsiroot.conf (the
// initramfs generators copy it in only when the administrator wrote one),
// dracut's /etc/cmdline.d/*.conf, then /proc/cmdline, so that a parameter
// given at the boot prompt comes last and wins. Pure text handling; the
// files are read by cmdline_boot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace isr::cmdline {

/// The words of a kernel-command-line file: every line whose first
/// non-blank character is '#' is a comment (a '#' elsewhere is data, as a
/// CHAP secret may hold one); the other lines are joined with one space.
/// Carriage returns count as blanks. Never throws.
std::string config_file_words(std::string_view text);

/// One command line from its sources in order (earlier ones first, so a
/// later single-valued parameter wins; see docs/cmdline.md): the non-empty
/// ones joined with one space, surrounding blanks (and /proc/cmdline's
/// final newline) trimmed.
std::string join_sources(const std::vector<std::string> &sources);

} // namespace isr::cmdline
