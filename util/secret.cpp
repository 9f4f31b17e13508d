#include "secret.hpp"

#include "crypto/crypto.hpp"

namespace isr {

void wipe(std::string &s) noexcept
{
    s.resize(s.capacity()); // within the capacity: no allocation, no throw
    crypto::wipe(s.data(), s.size());
    s.clear();
}

Secret &Secret::operator=(const Secret &o)
{
    if (this != &o) {
        wipe(v_);
        v_ = o.v_;
    }
    return *this;
}

Secret::~Secret() { wipe(v_); }

SensitiveString &SensitiveString::operator=(const SensitiveString &o)
{
    if (this != &o) {
        wipe(v_);
        v_ = o.v_;
    }
    return *this;
}

SensitiveString &SensitiveString::operator=(SensitiveString &&o) noexcept
{
    if (this != &o) {
        wipe(v_);
        v_ = std::move(o.v_);
        wipe(o.v_);
    }
    return *this;
}

std::string mask_uri_credentials(std::string_view uri)
{
    auto at = uri.rfind('@');
    if (at == std::string_view::npos)
        return std::string(uri);
    auto colon = uri.find(':');
    std::string scheme = colon != std::string_view::npos && colon < at ? std::string(uri.substr(0, colon + 1)) : "";
    return scheme + "********" + std::string(uri.substr(at));
}

} // namespace isr
