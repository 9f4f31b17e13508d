// The little cryptography iscsistart needs, behind one interface with two
// backends (as cryptsetup has): openssl.cpp (libcrypto; the normal build)
// and kernel.cpp (the kernel crypto API over AF_ALG, and getrandom(2);
// the static musl build, which has no libcrypto to link). The Makefile
// links exactly one of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace isr::crypto {

/// Which backend this binary was built with: "OpenSSL" or "kernel (AF_ALG)".
const char *backend_name();

/// Module loader the kernel backend calls for AF_ALG and hash modules
/// (e.g. "algif_hash", "crypto-sha3-256"); returns whether it is loaded,
/// and on failure puts its reason in *why (printing nothing: the backend
/// folds it into its own one-line report). Unset, the backend relies on
/// the kernel's own request_module(). The OpenSSL backend never calls it.
using ModuleLoader = bool (*)(const std::string &name, std::string *why);
void set_module_loader(ModuleLoader load);

/// Whether the hash for CHAP_A number `chap_a` (5 MD5, 6 SHA-1, 7 SHA-256,
/// 8 SHA3-256; RFC 7143 section 12.1.3) can be computed. When it cannot,
/// `why` (if given) gets one line naming the algorithm and what is missing
/// (the kernel module or the OpenSSL digest). The answer is probed once
/// per process and then cached. Never throws.
bool hash_available(int chap_a, std::string *why = nullptr);

/// The digest of the concatenation of `parts` with CHAP_A `chap_a`'s hash
/// (16, 20, 32 or 32 bytes). Throws isr::Error(ISCSI_ERR_LOGIN_AUTH_FAILED)
/// for an algorithm that is unknown or unavailable, and
/// isr::Error(ISCSI_ERR_INTERNAL) when the backend fails mid-way.
std::vector<uint8_t> hash(int chap_a, std::initializer_list<std::span<const uint8_t>> parts);

/// `n` bytes from a CSPRNG (OpenSSL's RAND_bytes, or getrandom(2), which
/// blocks only until the kernel's pool is first initialised). For what
/// must be unpredictable: the mutual-CHAP challenge (RFC 7143 12.1.3).
/// Throws isr::Error(ISCSI_ERR_INTERNAL) when none can be had.
std::vector<uint8_t> random_bytes(std::size_t n);

/// Whether random_bytes would wait now: getrandom(GRND_NONBLOCK) says the
/// kernel's crng is not initialised yet (early boot on a machine without
/// a hardware random source, e.g. QEMU's qemu64 CPU). Never throws.
bool random_would_block();

/// `n` bytes that never make the caller wait: getrandom(GRND_INSECURE)
/// (Linux >= 5.6), or on older kernels (EINVAL) read(2) from
/// /dev/urandom; both builds (crypto/unique.cpp). Before the crng is
/// initialised they may be predictable, so they are only for values that
/// need to differ, not to be secret: the ISID (RFC 7143 11.12.5: the
/// Random format's B and C fields make the ISID unique per initiator
/// name; it is sent in clear in every login anyway), a generated
/// initiator name, the DHCP xid and retry jitter. Throws
/// isr::Error(ISCSI_ERR_INTERNAL) when neither source works.
std::vector<uint8_t> unique_bytes(std::size_t n);

/// Whether the `n` bytes at `a` and `b` are equal, in time that depends
/// only on `n`.
bool equal_ct(const uint8_t *a, const uint8_t *b, std::size_t n) noexcept;

/// Overwrite `n` bytes at `p` with zeros in a way the compiler cannot
/// remove (OPENSSL_cleanse, or explicit_bzero). Never throws.
void wipe(void *p, std::size_t n) noexcept;

} // namespace isr::crypto
