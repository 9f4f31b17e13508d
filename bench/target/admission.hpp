// Admission of logins at the benchmark's refusing target: at most `limit`
// logins in progress at once (from the accepted connection to its final
// Login Response); a connection accepted above that is refused with a
// target error (RFC 7143 11.13.5: 0301 service unavailable or 0302 out of
// resources, both "retry later"). Pure counting, no I/O.
#pragma once

#include <cstdint>

namespace isr::bench {

class Admission {
public:
    /// `limit`: logins allowed in progress at once, at least 1.
    explicit Admission(int limit) : limit_(limit < 1 ? 1 : limit) {}

    /// A connection was accepted. True: it is admitted and in progress
    /// until finish(); false: it is to be refused (not in progress).
    bool admit()
    {
        if (in_progress_ >= limit_) {
            ++refused_;
            return false;
        }
        ++admitted_;
        if (++in_progress_ > peak_)
            peak_ = in_progress_;
        return true;
    }

    /// An admitted login ended: its final Login Response was sent, or the
    /// connection went away before. Extra calls (no login in progress) are
    /// ignored.
    void finish()
    {
        if (in_progress_ > 0)
            --in_progress_;
    }

    int limit() const { return limit_; }
    int in_progress() const { return in_progress_; }
    /// The most logins ever in progress at once (reaches limit() in a storm).
    int peak() const { return peak_; }
    uint64_t admitted() const { return admitted_; }
    uint64_t refused() const { return refused_; }

private:
    int limit_;
    int in_progress_ = 0;
    int peak_ = 0;
    uint64_t admitted_ = 0;
    uint64_t refused_ = 0;
};

/// Status-Detail of the refusal: parsed from "0301" or "0302" (the
/// --refuse-status values), or -1 for anything else.
int refusal_detail(const char *status);

} // namespace isr::bench
