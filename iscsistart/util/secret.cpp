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

} // namespace isr
