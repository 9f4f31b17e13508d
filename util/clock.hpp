// The one clock for deadlines, timeouts and elapsed times.
#pragma once

#include <cerrno>
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

/// Milliseconds on CLOCK_BOOTTIME: like monotonic_ms(), but counting
/// time suspended too, as a DHCP lease does; one clock for all processes
/// (the boot writes it to the lease file, the supervisor reads it).
inline long boottime_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/// Sleep `ms` milliseconds (0 or less: return at once), resuming after
/// signals so the whole time passes.
inline void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

} // namespace isr
