#include "backoff.hpp"

namespace isr {

int backoff_ms(int attempt, double unit, int base_ms, int cap_ms)
{
    if (attempt < 1)
        attempt = 1;
    long d = base_ms;
    for (int i = 1; i < attempt && d < cap_ms; ++i)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    if (unit < 0)
        unit = 0;
    if (unit >= 1)
        unit = 0.999999;
    return (int)(d * (0.75 + 0.5 * unit));
}

} // namespace isr
