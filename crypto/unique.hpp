// crypto::unique_bytes's parts, apart so that tests can inject the
// getrandom(2) call and the fallback file (test_unique.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace isr::crypto::detail {

/// getrandom(2)'s signature: bytes written, or -1 with errno.
using GetrandomFn = ssize_t (*)(void *buf, std::size_t len, unsigned flags);

/// Fill `n` bytes at `out` without ever blocking: `gr`(GRND_INSECURE)
/// (Linux >= 5.6); when that fails with EINVAL (an older kernel, which
/// does not know the flag) or ENOSYS, read(2) from `fallback_path`
/// (/dev/urandom, which never blocks). Throws
/// isr::Error(ISCSI_ERR_INTERNAL) naming the source when neither works.
void fill_unique(uint8_t *out, std::size_t n, GetrandomFn gr, const char *fallback_path);

/// Whether getrandom(buf, 1, GRND_NONBLOCK) through `gr` says a blocking
/// draw would wait (EAGAIN: the kernel's crng is not initialised yet).
bool would_block(GetrandomFn gr);

} // namespace isr::crypto::detail
