// iSCSI text key=value lists (RFC 7143 section 6): "key=value\0" repeated.
// Pure parsing and encoding, safe on any input.
#pragma once

#include "util/text.hpp"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isr::text {

using Pair = std::pair<std::string, std::string>;
using KeyList = std::vector<Pair>;

/// RFC 7143 6.1: key names are at most 63 bytes.
constexpr std::size_t MAX_KEY_LEN = 63;
/// RFC 7143 6.1: values are at most 255 bytes, except where a key says more
/// (CHAP_C/CHAP_R in hex can be longer); we accept up to 8192 bytes.
constexpr std::size_t MAX_VALUE_LEN = 8192;

/// Parse a data segment of `len` bytes into key/value pairs, in order.
/// A final pair that lacks its NUL terminator is accepted (some targets
/// omit it); trailing NUL padding is ignored. Throws isr::Error
/// (ISCSI_ERR_LOGIN) naming the problem for: a pair without '=', an empty
/// or over-long key, a key with bytes outside RFC 7143's key alphabet
/// (a leading "X#", the public extension prefix, is allowed),
/// an over-long value, or a key given twice in one list.
KeyList parse(const uint8_t *data, std::size_t len);

/// Append "key=value\0" to `out`.
void append(std::vector<uint8_t> &out, std::string_view key, std::string_view value);

/// The value of `key`, or nullptr.
const std::string *find(const KeyList &keys, std::string_view key);

/// True for keys whose values must never be printed (CHAP_R, CHAP_C are
/// derived from secrets; CHAP_N is harmless but CHAP_R/C are masked).
bool is_sensitive(std::string_view key);

/// "k=v k=v" for debug traces, with sensitive values shown as "***" and
/// other values as printable() makes them.
std::string describe(const KeyList &keys);


} // namespace isr::text
