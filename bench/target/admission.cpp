#include "admission.hpp"

#include <cstring>

namespace isr::bench {

int refusal_detail(const char *status)
{
    if (std::strcmp(status, "0301") == 0)
        return 1;
    if (std::strcmp(status, "0302") == 0)
        return 2;
    return -1;
}

} // namespace isr::bench
