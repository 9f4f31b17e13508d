#include "text_keys.hpp"

#include "util/errors.hpp"

#include <cctype>

namespace isr::text {
namespace {

bool key_char_ok(char c)
{
    // RFC 7143 6.1 (standard-label): letters, digits, '.', '-', '+', '@', '_'.
    return std::isalnum((unsigned char)c) || c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
}

[[noreturn]] void bad(const std::string &why) { throw Error(ISCSI_ERR_LOGIN, "login: malformed text data: " + why); }

} // namespace

KeyList parse(const uint8_t *data, std::size_t len)
{
    KeyList out;
    std::size_t i = 0;
    while (i < len) {
        if (data[i] == 0) { // padding or an empty entry
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < len && data[end] != 0)
            ++end;
        std::string_view item(reinterpret_cast<const char *>(data + i), end - i);
        i = end + 1;
        auto eq = item.find('=');
        if (eq == std::string_view::npos)
            bad("entry without '=' (" + printable(item, 32) + ")");
        std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key.empty())
            bad("empty key name");
        if (key.size() > MAX_KEY_LEN)
            bad("key name longer than 63 bytes");
        // "X#" opens a public extension key (RFC 7143 13, e.g.
        // X#NodeArchitecture of RFC 4850): its '#' is the one allowed.
        std::size_t from = key.size() > 2 && key.substr(0, 2) == "X#" ? 2 : 0;
        for (char c : key.substr(from))
            if (!key_char_ok(c))
                bad("invalid character in key name '" + printable(key, 32) + "'");
        if (value.size() > MAX_VALUE_LEN)
            bad("value of " + std::string(key) + " longer than 8192 bytes");
        if (find(out, key))
            bad("key " + std::string(key) + " given twice");
        out.emplace_back(std::string(key), std::string(value));
    }
    return out;
}

void append(std::vector<uint8_t> &out, std::string_view key, std::string_view value)
{
    out.insert(out.end(), key.begin(), key.end());
    out.push_back('=');
    out.insert(out.end(), value.begin(), value.end());
    out.push_back(0);
}

const std::string *find(const KeyList &keys, std::string_view key)
{
    for (const auto &p : keys)
        if (p.first == key)
            return &p.second;
    return nullptr;
}

bool is_sensitive(std::string_view key) { return key == "CHAP_R" || key == "CHAP_C"; }

std::string describe(const KeyList &keys)
{
    std::string s;
    for (const auto &[k, v] : keys) {
        if (!s.empty())
            s += ' ';
        s += k;
        s += '=';
        s += is_sensitive(k) ? "***" : printable(v, MAX_VALUE_LEN);
    }
    return s;
}

} // namespace isr::text
