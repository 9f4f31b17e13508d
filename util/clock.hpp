// The one clock for deadlines, timeouts and elapsed times.
#pragma once

#include <ctime>

namespace isr {

/// Milliseconds on CLOCK_MONOTONIC: unaffected by changes of the wall
/// clock (DHCP, NTP); only differences between two readings mean anything.
inline long monotonic_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

} // namespace isr
