#include "secret.hpp"

#include <openssl/crypto.h>

namespace isr {

void Secret::wipe()
{
    if (!v_.empty())
        OPENSSL_cleanse(v_.data(), v_.size());
    v_.clear();
}

Secret &Secret::operator=(const Secret &o)
{
    if (this != &o) {
        wipe();
        v_ = o.v_;
    }
    return *this;
}

Secret::~Secret() { wipe(); }

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
