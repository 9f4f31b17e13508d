// SCSI LUNs: the 8-byte SAM LUN (as the iBFT stores it and as RFC 4173's
// long LUN field writes it) to the LUN number Linux shows as the last
// field of H:C:T:L, for the single-level forms.
#pragma once

#include <array>
#include <cstdint>

namespace isr {

/// The Linux LUN number of an 8-byte SAM LUN (`lun[0]` first on the
/// wire), by the address method in the top two bits of byte 0:
/// peripheral device addressing (bus 0) gives byte 1; flat space
/// addressing the 14 bits of bytes 0 and 1; any other method the whole
/// 64-bit value.
inline uint64_t sam_lun_number(const std::array<uint8_t, 8> &lun)
{
    const uint8_t method = lun[0] >> 6;
    if (method == 0)
        return lun[1];
    if (method == 1)
        return (uint64_t)(lun[0] & 0x3f) << 8 | lun[1];
    uint64_t v = 0;
    for (uint8_t b : lun)
        v = v << 8 | b;
    return v;
}

} // namespace isr
