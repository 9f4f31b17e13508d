#include "negotiate.hpp"

#include "util/errors.hpp"

#include <algorithm>

namespace isr::negotiate {
namespace {

[[noreturn]] void bad(std::string_view key, const std::string &why)
{
    throw Error(ISCSI_ERR_LOGIN, "login: " + std::string(key) + ": " + why);
}

const char *yn(bool b) { return b ? "Yes" : "No"; }

bool parse_bool(std::string_view key, std::string_view v)
{
    if (v == "Yes")
        return true;
    if (v == "No")
        return false;
    bad(key, "expected Yes or No, got '" + text::printable(v, 32) + "'");
}

uint32_t number(std::string_view key, std::string_view v, uint32_t lo, uint32_t hi)
{
    auto n = parse_number(v);
    if (!n || *n < lo || *n > hi)
        bad(key, "value '" + text::printable(v, 32) + "' outside " + std::to_string(lo) + ".." +
                     std::to_string(hi));
    return *n;
}

bool has_item(std::string_view list, std::string_view item)
{
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t c = list.find(',', pos);
        if (c == std::string_view::npos)
            c = list.size();
        if (list.substr(pos, c - pos) == item)
            return true;
        pos = c + 1;
    }
    return false;
}

enum Kind { BOOL_OR, BOOL_AND, NUM_MIN, NUM_MAX };

struct NumKey {
    const char *name;
    Kind kind;
    uint32_t lo, hi;
    uint32_t OperationalParams::*ours;
    uint32_t Negotiated::*result;
};

const NumKey num_keys[] = {
    {"MaxBurstLength", NUM_MIN, 512, 16777215, &OperationalParams::max_burst, &Negotiated::max_burst},
    {"FirstBurstLength", NUM_MIN, 512, 16777215, &OperationalParams::first_burst, &Negotiated::first_burst},
    {"MaxConnections", NUM_MIN, 1, 65535, &OperationalParams::max_connections, &Negotiated::max_connections},
    {"DefaultTime2Wait", NUM_MAX, 0, 3600, &OperationalParams::default_time2wait, &Negotiated::default_time2wait},
    {"DefaultTime2Retain", NUM_MIN, 0, 3600, &OperationalParams::default_time2retain,
     &Negotiated::default_time2retain},
    {"MaxOutstandingR2T", NUM_MIN, 1, 65535, &OperationalParams::max_outstanding_r2t,
     &Negotiated::max_outstanding_r2t},
    {"ErrorRecoveryLevel", NUM_MIN, 0, 2, &OperationalParams::error_recovery_level,
     &Negotiated::error_recovery_level},
};

struct BoolKey {
    const char *name;
    Kind kind;
    bool OperationalParams::*ours;
    bool Negotiated::*result;
};

const BoolKey bool_keys[] = {
    {"InitialR2T", BOOL_OR, &OperationalParams::initial_r2t, &Negotiated::initial_r2t},
    {"ImmediateData", BOOL_AND, &OperationalParams::immediate_data, &Negotiated::immediate_data},
    {"DataPDUInOrder", BOOL_OR, &OperationalParams::data_pdu_in_order, &Negotiated::data_pdu_in_order},
    {"DataSequenceInOrder", BOOL_OR, &OperationalParams::data_sequence_in_order,
     &Negotiated::data_sequence_in_order},
};

// RFC 7143 13.25 "Obsoleted Keys": the marker keys of RFC 3720. A
// responder SHOULD answer IFMarker/OFMarker with Reject (MAY with No) and
// MUST answer IFMarkInt/OFMarkInt with Reject; NotUnderstood is forbidden
// for all four. We answer Reject to each and never send them.
bool is_obsolete(std::string_view key)
{
    return key == "IFMarker" || key == "OFMarker" || key == "IFMarkInt" || key == "OFMarkInt";
}

} // namespace

std::optional<uint32_t> parse_number(std::string_view s)
{
    if (s.empty() || s.size() > 10)
        return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (v > 0xffffffffULL)
        return std::nullopt;
    return (uint32_t)v;
}

text::KeyList offer(const OperationalParams &p)
{
    return {
        {"HeaderDigest", p.header_digest},
        {"DataDigest", p.data_digest},
        {"MaxConnections", std::to_string(p.max_connections)},
        {"InitialR2T", yn(p.initial_r2t)},
        {"ImmediateData", yn(p.immediate_data)},
        {"MaxRecvDataSegmentLength", std::to_string(p.max_recv_dlength)},
        {"MaxBurstLength", std::to_string(p.max_burst)},
        {"FirstBurstLength", std::to_string(p.first_burst)},
        {"DefaultTime2Wait", std::to_string(p.default_time2wait)},
        {"DefaultTime2Retain", std::to_string(p.default_time2retain)},
        {"MaxOutstandingR2T", std::to_string(p.max_outstanding_r2t)},
        {"DataPDUInOrder", yn(p.data_pdu_in_order)},
        {"DataSequenceInOrder", yn(p.data_sequence_in_order)},
        {"ErrorRecoveryLevel", std::to_string(p.error_recovery_level)},
    };
}

std::optional<std::string> apply(std::string_view key, std::string_view value, const OperationalParams &p,
                                 bool we_offered, Negotiated &out)
{
    // Declarative keys from the target.
    if (key == "MaxRecvDataSegmentLength") {
        out.max_xmit_dlength = number(key, value, 512, 16777215);
        return std::nullopt;
    }
    if (key == "TargetAlias") {
        out.target_alias = std::string(value);
        return std::nullopt;
    }
    if (key == "TargetPortalGroupTag") {
        out.tpgt = (int)number(key, value, 0, 65535);
        return std::nullopt;
    }

    if (value == "NotUnderstood" || value == "Irrelevant" || value == "Reject") {
        // Without an answer the RFC default stays in `out`; that is only
        // safe for keys whose default we can run with.
        if (key == "HeaderDigest" || key == "DataDigest") {
            if (!has_item(key == "HeaderDigest" ? p.header_digest : p.data_digest, "None"))
                bad(key, "target answered " + std::string(value) + " and None was not allowed");
        }
        return std::nullopt;
    }

    if (key == "HeaderDigest" || key == "DataDigest") {
        const std::string &mine = key == "HeaderDigest" ? p.header_digest : p.data_digest;
        bool &res = key == "HeaderDigest" ? out.header_digest : out.data_digest;
        if (we_offered) {
            if (value != "None" && value != "CRC32C")
                bad(key, "unknown digest '" + text::printable(value, 32) + "'");
            if (!has_item(mine, value))
                bad(key, "target chose " + std::string(value) + ", which we did not offer");
            res = value == "CRC32C";
            return std::nullopt;
        }
        // Target proposes a list: pick the first item we also allow.
        std::size_t pos = 0;
        while (pos <= value.size()) {
            std::size_t c = value.find(',', pos);
            if (c == std::string_view::npos)
                c = value.size();
            std::string_view item = value.substr(pos, c - pos);
            if ((item == "None" || item == "CRC32C") && has_item(mine, item)) {
                res = item == "CRC32C";
                return std::string(item);
            }
            pos = c + 1;
        }
        return std::string("Reject");
    }

    for (const auto &k : bool_keys) {
        if (key != k.name)
            continue;
        bool theirs = parse_bool(key, value);
        bool mine = p.*k.ours;
        bool result = k.kind == BOOL_OR ? (mine || theirs) : (mine && theirs);
        if (we_offered && theirs != result)
            bad(key, std::string("target answered ") + yn(theirs) + " but the rule gives " + yn(result));
        out.*k.result = result;
        return we_offered ? std::nullopt : std::optional<std::string>(yn(result));
    }

    for (const auto &k : num_keys) {
        if (key != k.name)
            continue;
        uint32_t theirs = number(key, value, k.lo, k.hi);
        uint32_t mine = p.*k.ours;
        uint32_t result = k.kind == NUM_MIN ? std::min(mine, theirs) : std::max(mine, theirs);
        if (we_offered && theirs != result)
            bad(key, "target answered " + std::to_string(theirs) + ", the rule allows at most " +
                         std::to_string(result));
        out.*k.result = result;
        return we_offered ? std::nullopt : std::optional<std::string>(std::to_string(result));
    }

    if (is_obsolete(key))
        return we_offered ? std::nullopt : std::optional<std::string>("Reject");

    // Vendor keys (X-...) and anything else we do not know are answered
    // NotUnderstood when the target starts them (RFC 7143 6.2).
    return we_offered ? std::nullopt : std::optional<std::string>("NotUnderstood");
}

void finish(Negotiated &n)
{
    if ((n.immediate_data || !n.initial_r2t) && n.first_burst > n.max_burst)
        throw Error(ISCSI_ERR_LOGIN, "login: FirstBurstLength " + std::to_string(n.first_burst) +
                                         " exceeds MaxBurstLength " + std::to_string(n.max_burst));
}

} // namespace isr::negotiate
