#include "text.hpp"

namespace isr::text {

std::string printable(std::string_view s, std::size_t max)
{
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += (char)c;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > max)
        out += "...";
    return out;
}

std::vector<std::string> split_list(std::string_view s, char sep)
{
    std::vector<std::string> out;
    for (;;) {
        auto p = s.find(sep);
        out.emplace_back(s.substr(0, p));
        if (p == std::string_view::npos)
            return out;
        s.remove_prefix(p + 1);
    }
}

} // namespace isr::text
