#include "sources.hpp"

namespace isr::cmdline {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

void append_word_run(std::string &out, std::string_view s)
{
    s = trim(s);
    if (s.empty())
        return;
    if (!out.empty())
        out += ' ';
    out.append(s);
}

} // namespace

// Both results are allocated once, at their final size or more: growing a
// string frees its old buffer unwiped, and these texts may hold CHAP
// secrets (docs/security.md).

std::string config_file_words(std::string_view text)
{
    std::string out;
    out.reserve(text.size()); // the words are never longer than the text
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        line = trim(line);
        if (!line.empty() && line.front() != '#')
            append_word_run(out, line);
    }
    return out;
}

std::string join_sources(const std::vector<std::string> &sources)
{
    std::string out;
    std::size_t total = 0;
    for (const auto &s : sources)
        total += s.size() + 1; // and a separating space
    out.reserve(total);
    for (const auto &s : sources)
        append_word_run(out, s);
    return out;
}

} // namespace isr::cmdline
