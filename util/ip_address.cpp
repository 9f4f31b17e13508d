#include "ip_address.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace isr {

std::string IpAddress::text() const
{
    if (family != AF_INET && family != AF_INET6)
        return "";
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, bytes.data(), buf, sizeof buf))
        return "";
    return buf;
}

std::optional<IpAddress> IpAddress::parse(const std::string &s)
{
    // inet_pton stops at a NUL; "10.0.0.1\0junk" is not an address.
    if (s.empty() || s.find('\0') != std::string::npos)
        return std::nullopt;
    IpAddress a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    a.bytes.fill(0);
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return std::nullopt;
}

} // namespace isr
