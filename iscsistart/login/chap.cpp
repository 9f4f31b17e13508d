#include "chap.hpp"

#include "util/errors.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace isr::chap {
namespace {

const EVP_MD *md_for(int alg)
{
    switch (alg) {
    case MD5: return EVP_md5();
    case SHA1: return EVP_sha1();
    case SHA256: return EVP_sha256();
    case SHA3_256: return EVP_sha3_256();
    default: return nullptr;
    }
}

int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

const char *algorithm_name(int alg)
{
    switch (alg) {
    case MD5: return "MD5";
    case SHA1: return "SHA1";
    case SHA256: return "SHA256";
    case SHA3_256: return "SHA3-256";
    default: return "unknown";
    }
}

std::size_t digest_size(int alg)
{
    const EVP_MD *md = md_for(alg);
    return md ? (std::size_t)EVP_MD_get_size(md) : 0;
}

std::vector<int> parse_algorithm_list(std::string_view list)
{
    std::vector<int> out;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos)
            comma = list.size();
        std::string name(list.substr(pos, comma - pos));
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t") + 1);
        std::string up = name;
        std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
        int alg = 0;
        if (up == "MD5") alg = MD5;
        else if (up == "SHA1" || up == "SHA-1") alg = SHA1;
        else if (up == "SHA256" || up == "SHA-256") alg = SHA256;
        else if (up == "SHA3-256" || up == "SHA3_256") alg = SHA3_256;
        else
            throw Error(ISCSI_ERR_INVAL, "node.session.auth.chap_algs: unknown algorithm '" + name +
                                             "' (use MD5, SHA1, SHA256, SHA3-256)");
        if (std::find(out.begin(), out.end(), alg) != out.end())
            throw Error(ISCSI_ERR_INVAL, "node.session.auth.chap_algs: '" + name + "' listed twice");
        out.push_back(alg);
        pos = comma + 1;
    }
    return out;
}

std::string algorithm_offer(const std::vector<int> &algs)
{
    std::string s;
    for (int a : algs) {
        if (!s.empty())
            s += ',';
        s += std::to_string(a);
    }
    return s;
}

Bytes response(int alg, uint8_t identifier, const Secret &secret, const Bytes &challenge)
{
    const EVP_MD *md = md_for(alg);
    if (!md)
        throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP: unsupported algorithm " + std::to_string(alg));
    Bytes out(EVP_MD_get_size(md));
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, &identifier, 1) == 1 &&
              EVP_DigestUpdate(ctx, secret.reveal().data(), secret.size()) == 1 &&
              EVP_DigestUpdate(ctx, challenge.data(), challenge.size()) == 1 &&
              EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        throw Error(ISCSI_ERR_INTERNAL, std::string("CHAP: OpenSSL failed to compute ") + algorithm_name(alg));
    out.resize(len);
    return out;
}

std::string encode_hex(const Bytes &b)
{
    static const char digits[] = "0123456789abcdef";
    std::string s = "0x";
    s.reserve(2 + b.size() * 2);
    for (uint8_t c : b) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

std::optional<Bytes> decode_binary(std::string_view s)
{
    if (s.size() < 3 || s[0] != '0')
        return std::nullopt;
    Bytes out;
    if (s[1] == 'x' || s[1] == 'X') {
        std::string_view h = s.substr(2);
        std::size_t i = 0;
        if (h.size() % 2) { // odd number of digits: leading nibble
            int v = hexval(h[0]);
            if (v < 0)
                return std::nullopt;
            out.push_back((uint8_t)v);
            i = 1;
        }
        for (; i < h.size(); i += 2) {
            int hi = hexval(h[i]), lo = hexval(h[i + 1]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out.push_back((uint8_t)(hi << 4 | lo));
        }
    } else if (s[1] == 'b' || s[1] == 'B') {
        std::string_view b = s.substr(2);
        if (b.size() % 4)
            return std::nullopt;
        out.resize(b.size() / 4 * 3);
        int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char *>(b.data()), (int)b.size());
        if (n < 0)
            return std::nullopt;
        std::size_t pad = 0;
        if (!b.empty() && b.back() == '=')
            pad = (b.size() >= 2 && b[b.size() - 2] == '=') ? 2 : 1;
        out.resize((std::size_t)n - pad);
    } else {
        return std::nullopt;
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

bool equal_ct(const Bytes &a, const Bytes &b)
{
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace isr::chap
