#include "chap.hpp"

#include "crypto/crypto.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

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

// RFC 4648 section 4 alphabet; -1 for anything else ('=' included).
int base64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Base64 with '=' padding (RFC 4648 section 4), length a multiple of 4,
// padding only at the end; nullopt otherwise.
std::optional<Bytes> decode_base64(std::string_view b)
{
    if (b.empty() || b.size() % 4)
        return std::nullopt;
    std::size_t pad = b.back() == '=' ? (b[b.size() - 2] == '=' ? 2 : 1) : 0;
    Bytes out;
    out.reserve(b.size() / 4 * 3);
    for (std::size_t i = 0; i < b.size(); i += 4) {
        bool last = i + 4 == b.size();
        uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            int d = base64val(b[i + j]);
            if (d < 0 && !(last && j >= 4 - pad))
                return std::nullopt;
            v = v << 6 | (uint32_t)(d < 0 ? 0 : d);
        }
        out.push_back((uint8_t)(v >> 16));
        if (!last || pad < 2)
            out.push_back((uint8_t)(v >> 8));
        if (!last || pad < 1)
            out.push_back((uint8_t)v);
    }
    return out;
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

std::vector<int> usable_algorithms(const std::vector<int> &algs)
{
    static bool reported[16] = {};
    std::vector<int> out;
    for (int a : algs) {
        std::string why;
        if (crypto::hash_available(a, &why)) {
            out.push_back(a);
            continue;
        }
        if (a < 0 || a >= 16 || !reported[a]) {
            log::info("warning: CHAP: %s; not offered", why.c_str());
            if (a >= 0 && a < 16)
                reported[a] = true;
        }
    }
    if (out.empty())
        throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP: none of the configured algorithms (" + algorithm_offer(algs) +
                                                     ") can be computed by this binary's " + crypto::backend_name() +
                                                     " crypto (node.session.auth.chap_algs)");
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
    auto s = secret.reveal();
    Bytes out = crypto::hash(alg, {std::span<const uint8_t>(&identifier, 1),
                                   std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(s.data()), s.size()),
                                   std::span<const uint8_t>(challenge)});
    if (out.size() != info->digest_size)
        throw Error(ISCSI_ERR_INTERNAL, std::string("CHAP: ") + info->name + " digest has the wrong size");
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
        auto b = decode_base64(s.substr(2));
        if (!b)
            return std::nullopt;
        out = std::move(*b);
    } else {
        return std::nullopt;
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

Bytes challenge_bytes(std::size_t n)
{
    if (crypto::random_would_block())
        log::info("CHAP: waiting for the kernel's random generator (crng not yet initialised) for the mutual-CHAP "
                  "challenge");
    return crypto::random_bytes(n);
}

bool equal_ct(const Bytes &a, const Bytes &b)
{
    if (a.size() != b.size())
        return false;
    return crypto::equal_ct(a.data(), b.data(), a.size());
}

} // namespace isr::chap
