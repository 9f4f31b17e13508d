// Capped exponential backoff with jitter for login retries.
#pragma once

namespace isr {

/// Delay in milliseconds before retry number `attempt` (1 = first retry):
/// base_ms * 2^(attempt-1), capped at cap_ms, then scaled by a jitter
/// factor in [0.75, 1.25) chosen by `unit` in [0, 1).
int backoff_ms(int attempt, double unit, int base_ms = 250, int cap_ms = 4000);

} // namespace isr
