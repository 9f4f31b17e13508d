// Checks of one option or -P value, shared by options.cpp and
// discovery_params.cpp: each throws isr::Error(ISCSI_ERR_INVAL) with a
// one-line message naming `field`, and never echoes a secret.
#pragma once

#include "util/secret.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace isr::cli::detail {

constexpr std::size_t MAX_SECRET = 255; // bytes of a CHAP secret or user name

/// Throw isr::Error(ISCSI_ERR_INVAL, msg).
[[noreturn]] void inval(const std::string &msg);

/// A decimal (or 0x hex) number from lo to hi; otherwise "FIELD: 'V' is
/// not a number from LO to HI" (V cut to 40 bytes).
long number(std::string_view field, std::string_view v, long lo, long hi);

/// "FIELD: too long (N bytes, at most MAX)".
[[noreturn]] void too_long(std::string_view field, std::size_t size, std::size_t max);

/// `v` as a string when at most `max` bytes, else too_long().
std::string bounded(std::string_view field, std::string_view v, std::size_t max);

/// A CHAP secret of at most MAX_SECRET bytes straight into a Secret, with
/// no plain std::string copy on the way (a temporary would be freed
/// unwiped); only its length is ever reported.
Secret secret_value(std::string_view field, std::string_view v);

} // namespace isr::cli::detail
