// Operational key negotiation (RFC 7143 sections 6.2 and 13): the keys we
// offer, and the outcome of each key given the target's answer. Pure.
#pragma once

#include "params.hpp"
#include "text_keys.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace isr::negotiate {

/// The operational keys to send, in a fixed order (never the obsolete
/// marker keys of RFC 7143 13.25).
text::KeyList offer(const OperationalParams &p);

/// Fold one key from the target into `out`.
/// - `ours_p`: what we propose; `we_offered`: true when we sent this key
///   (the target's value is its answer), false when the target started it.
/// - Returns the value we must answer with (target-started negotiable keys),
///   or nullopt when nothing needs answering. A target-started key we do
///   not know (vendor X-/X# keys included) is answered "NotUnderstood"
///   (RFC 7143 6.2); the obsolete IFMarker, OFMarker, IFMarkInt and
///   OFMarkInt are answered "Reject" (13.25).
/// Throws isr::Error(ISCSI_ERR_LOGIN) naming the key for: a value out of the
/// RFC range, a result the rules forbid (e.g. a larger MaxBurstLength than
/// we offered), a digest we did not offer, or Reject/Irrelevant for a key
/// we cannot do without.
std::optional<std::string> apply(std::string_view key, std::string_view value, const OperationalParams &ours_p,
                                 bool we_offered, Negotiated &out);

/// Final consistency checks after the stage ends (FirstBurstLength must not
/// exceed MaxBurstLength). Throws isr::Error(ISCSI_ERR_LOGIN).
void finish(Negotiated &n);

/// Parse a decimal number with no sign and no junk. nullopt on failure.
std::optional<uint32_t> parse_number(std::string_view s);

} // namespace isr::negotiate
