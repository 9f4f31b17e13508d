#include "fields.hpp"

#include "../login/negotiate.hpp"
#include "util/errors.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace isr::cmdline::detail {

[[noreturn]] void bad(std::string_view what, const std::string &why)
{
    throw Error(ISCSI_ERR_INVAL, "cmdline: " + std::string(what) + ": " + why);
}

// Split on ':' but keep "[...]" (IPv6) together, brackets removed.
std::vector<std::string> fields(std::string_view v, std::string_view what)
{
    std::vector<std::string> out;
    std::string cur;
    bool in_brackets = false, bracketed = false;
    for (char c : v) {
        if (c == '[' && cur.empty() && !in_brackets) {
            in_brackets = bracketed = true;
        } else if (c == ']' && in_brackets) {
            in_brackets = false;
        } else if (c == ':' && !in_brackets) {
            out.push_back(cur);
            cur.clear();
            bracketed = false;
        } else {
            if (bracketed && !in_brackets)
                bad(what, "junk after ']'");
            cur += c;
        }
    }
    if (in_brackets)
        bad(what, "missing ']'");
    out.push_back(cur);
    return out;
}

net::IpAddress address(std::string_view what, const std::string &s)
{
    if (s.empty())
        return {};
    auto a = net::IpAddress::parse(s);
    if (!a)
        bad(what, "'" + s + "' is not an IP address");
    return *a;
}

uint32_t number(std::string_view what, std::string_view s, uint32_t lo, uint32_t hi)
{
    auto n = negotiate::parse_number(s);
    if (!n || *n < lo || *n > hi)
        bad(what, "'" + std::string(s.substr(0, 40)) + "' is not a number from " + std::to_string(lo) + " to " +
                      std::to_string(hi));
    return *n;
}

// Netmask as a prefix length ("24") or a dotted mask ("255.255.255.0").
uint8_t prefix(std::string_view what, const std::string &s)
{
    if (s.empty())
        return 0;
    if (s.find('.') == std::string::npos)
        return (uint8_t)number(what, s, 0, 128);
    in_addr m{};
    if (inet_pton(AF_INET, s.c_str(), &m) != 1)
        bad(what, "'" + s + "' is not a netmask");
    uint32_t v = ntohl(m.s_addr);
    uint8_t n = 0;
    while (n < 32 && (v & (0x80000000u >> n)))
        ++n;
    if (n < 32 && (v << n) != 0)
        bad(what, "netmask '" + s + "' is not contiguous");
    return n;
}

} // namespace isr::cmdline::detail
