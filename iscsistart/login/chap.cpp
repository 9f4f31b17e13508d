#include "chap.hpp"

#include "util/errors.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace isr::chap {
namespace {

bool iequal(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper((unsigned char)a[i]) != std::toupper((unsigned char)b[i]))
            return false;
    return true;
}

int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

const AlgorithmInfo *find_algorithm(int chap_a)
{
    for (const auto &a : ALGORITHMS)
        if (a.chap_a == chap_a)
            return &a;
    return nullptr;
}

const AlgorithmInfo *find_algorithm(std::string_view name)
{
    for (const auto &a : ALGORITHMS)
        if (iequal(name, a.name) || (a.alias && iequal(name, a.alias)))
            return &a;
    return nullptr;
}

const char *algorithm_name(int alg)
{
    const AlgorithmInfo *a = find_algorithm(alg);
    return a ? a->name : "unknown";
}

std::size_t digest_size(int alg)
{
    const AlgorithmInfo *a = find_algorithm(alg);
    return a ? a->digest_size : 0;
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
        const AlgorithmInfo *info = find_algorithm(name);
        if (!info) {
            std::string names;
            for (const auto &a : ALGORITHMS)
                names += (names.empty() ? "" : ", ") + std::string(a.name);
            throw Error(ISCSI_ERR_INVAL, "node.session.auth.chap_algs: unknown algorithm '" + name + "' (use " +
                                             names + ")");
        }
        int alg = info->chap_a;
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
    const AlgorithmInfo *info = find_algorithm(alg);
    if (!info)
        throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP: unsupported algorithm " + std::to_string(alg));
    const EVP_MD *md = EVP_get_digestbyname(info->evp_name);
    if (!md)
        throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, std::string("CHAP: this OpenSSL has no ") + info->name);
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, &identifier, 1) == 1 &&
              EVP_DigestUpdate(ctx, secret.reveal().data(), secret.size()) == 1 &&
              EVP_DigestUpdate(ctx, challenge.data(), challenge.size()) == 1 &&
              EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok || len != info->digest_size)
        throw Error(ISCSI_ERR_INTERNAL, std::string("CHAP: OpenSSL failed to compute ") + info->name);
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
