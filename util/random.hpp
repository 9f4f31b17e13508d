// Random bytes for everything that needs them: CHAP challenges and
// identifiers, the ISID, DHCP transaction IDs, backoff jitter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace isr {

/// `n` bytes from OpenSSL's RAND_bytes (a CSPRNG seeded by the kernel).
/// Throws isr::Error(ISCSI_ERR_INTERNAL) when OpenSSL cannot provide them.
std::vector<uint8_t> random_bytes(std::size_t n);

} // namespace isr
