// Big-endian (network order) reads and writes of wire fields, for the PDU,
// iBFT, DHCP and netlink layouts. Callers check bounds first.
#pragma once

#include <cstdint>

namespace isr::bytes {

/// 16-bit big-endian value at `p` (2 bytes).
inline uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
/// 24-bit big-endian value at `p` (3 bytes), e.g. DataSegmentLength (RFC 7143 11.2.1).
inline uint32_t get_be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
/// 32-bit big-endian value at `p` (4 bytes).
inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
/// Write `v` big-endian at `p` (2 bytes).
inline void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
/// Write the low 24 bits of `v` big-endian at `p` (3 bytes).
inline void put_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}
/// Write `v` big-endian at `p` (4 bytes).
inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
/// 16-bit little-endian value at `p` (iBFT and ACPI fields are little-endian).
inline uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
/// 32-bit little-endian value at `p`.
inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
/// Write `v` little-endian at `p` (2 bytes).
inline void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
/// Write `v` little-endian at `p` (4 bytes).
inline void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = (uint8_t)(v >> (8 * i));
}

} // namespace isr::bytes
