#include "values.hpp"

#include "../login/negotiate.hpp"
#include "util/errors.hpp"

namespace isr::cli::detail {

void inval(const std::string &msg) { throw Error(ISCSI_ERR_INVAL, msg); }

long number(std::string_view field, std::string_view v, long lo, long hi)
{
    auto n = negotiate::parse_number(v);
    if (!n || (long)*n < lo || (long)*n > hi)
        inval(std::string(field) + ": '" + std::string(v.substr(0, 40)) + "' is not a number from " +
              std::to_string(lo) + " to " + std::to_string(hi));
    return (long)*n;
}

void too_long(std::string_view field, std::size_t size, std::size_t max)
{
    inval(std::string(field) + ": too long (" + std::to_string(size) + " bytes, at most " + std::to_string(max) +
          ")");
}

std::string bounded(std::string_view field, std::string_view v, std::size_t max)
{
    if (v.size() > max)
        too_long(field, v.size(), max);
    return std::string(v);
}

Secret secret_value(std::string_view field, std::string_view v)
{
    if (v.size() > MAX_SECRET)
        too_long(field, v.size(), MAX_SECRET);
    return Secret(v);
}

} // namespace isr::cli::detail
