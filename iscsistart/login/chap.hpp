// CHAP for iSCSI (RFC 7143 section 12.1.3, RFC 1994): response computation,
// CHAP_A algorithm list, hex/base64 value coding, constant-time checks.
// Hashes come from crypto/ (OpenSSL, or the kernel in the static build).
#pragma once

#include "util/secret.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isr::chap {

/// CHAP_A algorithm numbers (IANA "PPP Authentication Algorithms", the
/// values RFC 7143 section 12.1.3 refers to): 5 is MD5 (RFC 1994); 6, 7, 8
/// are SHA-1, SHA-256 and SHA3-256, as Linux's target and open-iscsi use
/// them. Everything else about an algorithm is in ALGORITHMS below.
enum Algorithm : int { MD5 = 5, SHA1 = 6, SHA256 = 7, SHA3_256 = 8 };

using Bytes = std::vector<uint8_t>;

/// One CHAP algorithm: the single place that ties its configuration name,
/// CHAP_A number and digest size together (each crypto/ backend maps the
/// number to its own hash name).
struct AlgorithmInfo {
    const char *name;        ///< name in configuration and messages
    const char *alias;       ///< other spelling accepted in configuration, or nullptr
    int chap_a;              ///< CHAP_A value on the wire
    std::size_t digest_size; ///< CHAP_R length in bytes
};

/// Every algorithm we can compute, in no preference order.
inline constexpr AlgorithmInfo ALGORITHMS[] = {
    {"MD5", nullptr, MD5, 16},
    {"SHA1", "SHA-1", SHA1, 20},
    {"SHA256", "SHA-256", SHA256, 32},
    {"SHA3-256", "SHA3_256", SHA3_256, 32},
};

/// The algorithm with CHAP_A number `chap_a`, or nullptr.
const AlgorithmInfo *find_algorithm(int chap_a);
/// The algorithm called `name` or its alias (ASCII case-insensitive), or nullptr.
const AlgorithmInfo *find_algorithm(std::string_view name);

/// Name used in configuration ("MD5", "SHA1", "SHA256", "SHA3-256"), or
/// "unknown" for a number not in ALGORITHMS.
const char *algorithm_name(int alg);
/// Digest size in bytes (16, 20, 32, 32), or 0 for an unknown number.
std::size_t digest_size(int alg);

/// Parse node.session.auth.chap_algs: a comma-separated list of names
/// (case-insensitive). Throws isr::Error(ISCSI_ERR_INVAL) naming the bad
/// entry; an empty list or a repeated name is an error.
std::vector<int> parse_algorithm_list(std::string_view list);

/// The algorithms of `algs` (in their order) that this binary's crypto
/// backend can compute. Each one it cannot gets one line on stderr, once
/// per process, naming it and the missing module or digest. Throws
/// isr::Error(ISCSI_ERR_LOGIN_AUTH_FAILED) when none is left.
std::vector<int> usable_algorithms(const std::vector<int> &algs);

/// "5,7" style CHAP_A value for the configured list.
std::string algorithm_offer(const std::vector<int> &algs);

/// CHAP response = H(identifier || secret || challenge) (RFC 1994 4.1).
Bytes response(int alg, uint8_t identifier, const Secret &secret, const Bytes &challenge);

/// Encode as "0x" + lowercase hex (RFC 7143 6.1 binary-value).
std::string encode_hex(const Bytes &b);
/// Decode a binary-value: "0x"/"0X" hex or "0b"/"0B" base64.
/// Returns nullopt on any malformed input or an empty result.
std::optional<Bytes> decode_binary(std::string_view s);

/// `n` unpredictable bytes for our mutual-CHAP identifier and challenge
/// (crypto::random_bytes, which waits for the kernel's crng). When that
/// would wait (crypto::random_would_block), first one info line saying
/// so, so that a boot that stalls here says why. Throws as random_bytes.
Bytes challenge_bytes(std::size_t n);

/// Equal-length compare in constant time (crypto::equal_ct); false for
/// different lengths.
bool equal_ct(const Bytes &a, const Bytes &b);

} // namespace isr::chap
