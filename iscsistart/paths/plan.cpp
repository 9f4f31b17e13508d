#include "plan.hpp"

#include <charconv>

namespace isr::paths {

std::string group_of(const SessionConfig &c)
{
    return c.login.target_name + "\n" + std::to_string(c.session.lun);
}

std::vector<std::string> drop_repeats(std::vector<Path> &paths)
{
    std::vector<std::string> dropped;
    for (std::size_t i = 0; i < paths.size();) {
        bool repeat = false;
        for (std::size_t j = 0; j < i && !repeat; ++j) {
            const auto &a = paths[j].cfg, &b = paths[i].cfg;
            repeat = a.login.target_name == b.login.target_name && a.portal.host == b.portal.host &&
                     a.portal.port == b.portal.port;
        }
        if (repeat) {
            dropped.push_back(paths[i].label);
            paths.erase(paths.begin() + (long)i);
        } else {
            ++i;
        }
    }
    return dropped;
}

int paths_to_same(const std::vector<Path> &paths, std::size_t i)
{
    const std::string g = group_of(paths[i].cfg);
    int n = 0;
    for (const auto &p : paths)
        n += group_of(p.cfg) == g;
    return n;
}

bool can_go_on(const std::vector<Path> &paths, const std::vector<State> &states)
{
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (states[i] != State::RUNNING)
            continue;
        // a path still logging in holds the boot only while no other path
        // to its device is up
        const std::string g = group_of(paths[i].cfg);
        bool served = false;
        for (std::size_t j = 0; j < paths.size() && !served; ++j)
            served = states[j] == State::UP && group_of(paths[j].cfg) == g;
        if (!served)
            return false;
    }
    return true;
}

int apply_multipath_defaults(std::vector<Path> &paths)
{
    const SessionSettings single;
    int changed = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (paths_to_same(paths, i) < 2)
            continue;
        auto &s = paths[i].cfg.session;
        bool c = false;
        if (s.replacement_timeout_s == single.replacement_timeout_s) {
            s.replacement_timeout_s = MULTIPATH_REPLACEMENT_TIMEOUT_S;
            c = true;
        }
        if (s.noop_out_interval_s == 0 && s.noop_out_timeout_s == 0) {
            s.noop_out_interval_s = 5;
            s.noop_out_timeout_s = 5;
            c = true;
        }
        changed += c;
    }
    return changed;
}

std::string format_report(int rc, const std::vector<std::string> &disks)
{
    std::string out;
    for (const auto &d : disks)
        out += "disk " + d + "\n";
    return out + "rc " + std::to_string(rc) + "\n";
}

Report parse_report(std::string_view text)
{
    Report r;
    while (!text.empty()) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos)
            break; // a line cut short: the process died writing it
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        if (line.starts_with("disk /dev/") && line.size() > 10 && line.find(' ', 5) == std::string_view::npos) {
            r.disks.emplace_back(line.substr(5));
        } else if (line.starts_with("rc ")) {
            int v = 0;
            auto d = line.substr(3);
            auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
            if (ec == std::errc() && p == d.data() + d.size() && v >= 0 && v < 256) {
                r.rc = v;
                r.complete = true;
            }
        }
    }
    return r;
}

} // namespace isr::paths
