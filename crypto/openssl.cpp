// crypto.hpp over OpenSSL's libcrypto (the normal, dynamic build).
#include "crypto.hpp"

#include "util/errors.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace isr::crypto {
namespace {

struct Digest {
    int chap_a;
    const char *name; // EVP_get_digestbyname
};
constexpr Digest DIGESTS[] = {{5, "MD5"}, {6, "SHA1"}, {7, "SHA256"}, {8, "SHA3-256"}};

const char *digest_name(int chap_a)
{
    for (const auto &d : DIGESTS)
        if (d.chap_a == chap_a)
            return d.name;
    return nullptr;
}

} // namespace

const char *backend_name() { return "OpenSSL"; }

void set_module_loader(ModuleLoader) {}

bool hash_available(int chap_a, std::string *why)
{
    const char *name = digest_name(chap_a);
    if (name && EVP_get_digestbyname(name))
        return true;
    if (why)
        *why = name ? std::string("this OpenSSL has no ") + name + " digest"
                    : "CHAP_A " + std::to_string(chap_a) + " is no algorithm we know";
    return false;
}

std::vector<uint8_t> hash(int chap_a, std::initializer_list<std::span<const uint8_t>> parts)
{
    std::string why;
    if (!hash_available(chap_a, &why))
        throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP: " + why);
    const EVP_MD *md = EVP_get_digestbyname(digest_name(chap_a));
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1;
    for (auto p : parts)
        ok = ok && EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        throw Error(ISCSI_ERR_INTERNAL, std::string("CHAP: OpenSSL failed to compute ") + digest_name(chap_a));
    out.resize(len);
    return out;
}

std::vector<uint8_t> random_bytes(std::size_t n)
{
    std::vector<uint8_t> out(n);
    if (n && RAND_bytes(out.data(), (int)n) != 1)
        throw Error(ISCSI_ERR_INTERNAL, "OpenSSL RAND_bytes failed");
    return out;
}

bool equal_ct(const uint8_t *a, const uint8_t *b, std::size_t n) noexcept
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void wipe(void *p, std::size_t n) noexcept
{
    if (n)
        OPENSSL_cleanse(p, n);
}

} // namespace isr::crypto
