#include "policy.hpp"

#include "util/backoff.hpp"

#include <cstdlib>
#include <string>

namespace isr::supervise {

bool iscsid_listening(std::string_view text)
{
    // Num RefCount Protocol Flags Type St Inode [Path]
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        std::string_view f[8];
        int n = 0;
        std::size_t i = 0;
        while (n < 8 && i < line.size()) {
            while (i < line.size() && line[i] == ' ')
                ++i;
            std::size_t j = i;
            while (j < line.size() && line[j] != ' ')
                ++j;
            if (j > i)
                f[n++] = line.substr(i, j - i);
            i = j;
        }
        if (n < 8 || f[7] != ISCSID_SOCKET || f[5] != "01")
            continue;
        unsigned long flags = strtoul(std::string(f[3]).c_str(), nullptr, 16);
        if (flags & 0x10000) // __SO_ACCEPTCON: listening
            return true;
    }
    return false;
}

bool taken_over(bool iscsid_up, uint16_t our_port, uint16_t kernel_port)
{
    return iscsid_up && kernel_port != 0 && our_port != 0 && kernel_port != our_port;
}

long retry_delay_ms(int attempt, double unit, long ms_left)
{
    if (ms_left <= 0)
        return -1;
    long d = backoff_ms(attempt, unit, 250, 4000);
    return d < ms_left ? d : ms_left;
}

} // namespace isr::supervise
