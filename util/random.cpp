#include "random.hpp"

#include "errors.hpp"

#include <openssl/rand.h>

namespace isr {

std::vector<uint8_t> random_bytes(std::size_t n)
{
    std::vector<uint8_t> out(n);
    if (n && RAND_bytes(out.data(), (int)n) != 1)
        throw Error(ISCSI_ERR_INTERNAL, "OpenSSL RAND_bytes failed");
    return out;
}

} // namespace isr
