#include "mac.hpp"

#include <cstdio>

namespace isr {
namespace {

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

std::optional<Mac> parse_mac(std::string_view s)
{
    if (s.size() != 17)
        return std::nullopt;
    Mac m{};
    for (int i = 0; i < 6; ++i) {
        if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-')
            return std::nullopt;
        int hi = hex_digit(s[i * 3]), lo = hex_digit(s[i * 3 + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        m[i] = (uint8_t)(hi << 4 | lo);
    }
    return m;
}

std::string format_mac(const Mac &m)
{
    char buf[18];
    snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

} // namespace isr
