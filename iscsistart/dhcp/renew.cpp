#include "renew.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <cstring>

namespace isr::dhcp {

namespace {

bool same(const IpAddress &a, const IpAddress &b)
{
    return a.family == b.family && memcmp(a.bytes.data(), b.bytes.data(), 4) == 0;
}

} // namespace

LeaseTimers lease_timers(uint32_t lease_s, uint32_t t1_s, uint32_t t2_s)
{
    LeaseTimers t;
    t.lease = lease_s;
    if (lease_s == 0 || lease_s == INFINITE_LEASE) {
        t.infinite = true;
        return t;
    }
    t.t2 = t2_s > 0 && t2_s < lease_s ? t2_s : (uint32_t)((uint64_t)lease_s * 7 / 8);
    t.t1 = t1_s > 0 && t1_s < t.t2 ? t1_s : lease_s / 2;
    if (t.t1 >= t.t2)
        t.t1 = t.t2 / 2;
    return t;
}

long retry_floor_ms(uint32_t lease_s)
{
    if (lease_s >= 32 * 60)
        return RFC_RETRY_FLOOR_MS;
    return std::max(MIN_RETRY_FLOOR_MS, (long)lease_s * 1000L / 32);
}

const char *state_name(Renewal::State s)
{
    switch (s) {
    case Renewal::State::BOUND: return "BOUND";
    case Renewal::State::RENEWING: return "RENEWING";
    case Renewal::State::REBINDING: return "REBINDING";
    case Renewal::State::ENDED: return "ENDED";
    case Renewal::State::INFINITE: return "INFINITE";
    case Renewal::State::STOPPED: return "STOPPED";
    }
    return "?";
}

Renewal::Renewal(std::string ifname, const Lease &bound, long bound_at_ms)
    : ifname_(std::move(ifname)), lease_(bound), bound_at_(bound_at_ms)
{
    timers_ = lease_timers(bound.lease_time, bound.renew_time, bound.rebind_time);
    floor_ms_ = retry_floor_ms(timers_.lease);
    state_ = timers_.infinite ? State::INFINITE : State::BOUND;
}

Renewal::Step Renewal::tick(long now)
{
    Step s;
    if (state_ == State::INFINITE || state_ == State::STOPPED)
        return s;
    // A tick may come late (a long session recovery, a supervisor started
    // after T1): walk through every state whose time has come.
    if (state_ == State::BOUND) {
        if (now < t1_ms()) {
            s.next_ms = t1_ms();
            return s;
        }
        state_ = State::RENEWING;
        s.new_xid = true;
        xid_sent_at_ = -1;
        next_send_ = now;
    }
    if (state_ == State::RENEWING && now >= t2_ms()) {
        state_ = State::REBINDING;
        s.new_xid = true;
        xid_sent_at_ = -1;
        next_send_ = now;
    }
    if (state_ == State::REBINDING && now >= end_ms()) {
        Step e = ended(now, "no answer from " + lease_.server_id.text() + " nor any other DHCP server");
        e.new_xid = true;
        e.send = true; // one more broadcast now, then every ENDED_RETRY_MS
        e.broadcast = true;
        return e;
    }
    if (state_ == State::ENDED) {
        if (now >= next_send_) {
            s.send = true;
            s.broadcast = true;
            s.new_xid = true;
            xid_sent_at_ = -1;
            next_send_ = now + ENDED_RETRY_MS;
        }
        s.next_ms = next_send_;
        return s;
    }
    // RENEWING or REBINDING: retransmit, waiting half the time left until
    // T2 (resp. the lease's end), at least floor_ms_, never past it.
    const long until = state_ == State::RENEWING ? t2_ms() : end_ms();
    if (now >= next_send_) {
        s.send = true;
        s.broadcast = state_ == State::REBINDING;
        next_send_ = std::min(until, now + std::max((until - now) / 2, floor_ms_));
    }
    s.next_ms = std::min(next_send_, until);
    return s;
}

void Renewal::sent(long now)
{
    if (xid_sent_at_ < 0)
        xid_sent_at_ = now;
}

Renewal::Step Renewal::ended(long now, const std::string &reason)
{
    Step s;
    state_ = State::ENDED;
    next_send_ = now + ENDED_RETRY_MS;
    xid_sent_at_ = -1;
    s.next_ms = next_send_;
    if (!reported_) {
        s.log = ifname_ + ": DHCP lease for " + lease_.your_ip.text() + " ended and could not be renewed (" + reason +
                "); keeping the address while the session lives";
        reported_ = true;
    }
    return s;
}

Renewal::Step Renewal::receive(const Lease &r, long now)
{
    Step s;
    if (state_ != State::RENEWING && state_ != State::REBINDING && state_ != State::ENDED)
        return s;
    if (r.type == DHCPNAK) {
        std::string why = "DHCPNAK";
        if (r.server_id.set())
            why += " from " + r.server_id.text();
        if (!r.message.empty())
            why += ": " + text::printable(r.message);
        if (state_ == State::ENDED) { // already said; try again later
            next_send_ = now + ENDED_RETRY_MS;
            return s;
        }
        return ended(now, why);
    }
    if (r.type != DHCPACK)
        return s;
    if (!same(r.your_ip, lease_.your_ip)) {
        if (!other_reported_) {
            s.log = ifname_ + ": DHCP server " + r.server_id.text() + " acknowledged " + r.your_ip.text() +
                    " instead of " + lease_.your_ip.text() + "; keeping " + lease_.your_ip.text() +
                    " (the root is reached through it)";
            other_reported_ = true;
        }
        return s;
    }
    const bool was_reported = reported_;
    bound_at_ = xid_sent_at_ >= 0 ? xid_sent_at_ : now;
    // The boot's configuration stays (we change nothing on the interface);
    // the times and the server are the ACK's.
    lease_.server_id = r.server_id;
    lease_.lease_time = r.lease_time;
    lease_.renew_time = r.renew_time;
    lease_.rebind_time = r.rebind_time;
    timers_ = lease_timers(r.lease_time, r.renew_time, r.rebind_time);
    floor_ms_ = retry_floor_ms(timers_.lease);
    state_ = timers_.infinite ? State::INFINITE : State::BOUND;
    next_send_ = -1;
    xid_sent_at_ = -1;
    reported_ = false;
    other_reported_ = false;
    s.write_lease = true;
    std::string times = timers_.infinite ? "for good" : "for " + std::to_string(timers_.lease) + " s";
    s.log = ifname_ + ": DHCP lease for " + lease_.your_ip.text() + (was_reported ? " is back: " : " ") +
            "renewed by " + r.server_id.text() + " " + times;
    if (!timers_.infinite)
        s.log += " (T1 " + std::to_string(timers_.t1) + " s, T2 " + std::to_string(timers_.t2) + " s)";
    s.next_ms = timers_.infinite ? -1 : t1_ms();
    return s;
}

} // namespace isr::dhcp
