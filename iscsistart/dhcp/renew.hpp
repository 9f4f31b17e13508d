// Keeping a DHCP lease after the boot (RFC 2131 4.4.5) as a state machine
// without sockets or clocks: the supervisor (supervise/lease_keeper.cpp)
// feeds it the time and the parsed replies and does what the returned
// Step says; the unit tests do the same with a fake clock.
//
// BOUND --T1--> RENEWING (REQUEST unicast to the lease's server)
//       --T2--> REBINDING (REQUEST broadcast)
//       --lease end or DHCPNAK--> ENDED (reported once; REQUEST broadcast
//       every ENDED_RETRY_MS, for as long as it runs)
// a DHCPACK for our address in RENEWING, REBINDING or ENDED -> BOUND with
// the ACK's times. The address is never removed (the root is on it); an
// ACK for another address is reported and not taken.
#pragma once

#include "dhcp_packet.hpp"

#include <cstdint>
#include <string>

namespace isr::dhcp {

/// Option 51's "infinite" (RFC 2131 3.3): such a lease is never renewed.
constexpr uint32_t INFINITE_LEASE = 0xffffffffu;
/// The shortest wait between retransmissions (RFC 2131 4.4.5: 60 s), for
/// leases of 32 minutes and more; shorter leases use lease/32, but at
/// least MIN_RETRY_FLOOR_MS (see retry_floor_ms()).
constexpr long RFC_RETRY_FLOOR_MS = 60000;
constexpr long MIN_RETRY_FLOOR_MS = 2000;
/// After the lease ended: one broadcast REQUEST this often.
constexpr long ENDED_RETRY_MS = 60000;

/// T1 and T2 of a lease, seconds after it was bound.
struct LeaseTimers {
    uint32_t t1 = 0, t2 = 0, lease = 0;
    bool infinite = false; // option 51 0xffffffff or absent: never renew
};

/// T1 and T2 per RFC 2131 4.4.5: options 58 and 59 when they make sense
/// (0 < T1 < T2 < lease), else the defaults 0.5 and 0.875 x lease (an
/// option 58 at or past T2 falls back to 0.5 x lease, or T2/2 when that
/// is past T2; an option 59 at or past the lease to 0.875 x lease). A
/// lease time of 0 (option 51 absent, which parse_reply() tolerates) or
/// INFINITE_LEASE gives infinite = true.
LeaseTimers lease_timers(uint32_t lease_s, uint32_t t1_s, uint32_t t2_s);

/// The shortest wait between two REQUESTs, milliseconds: RFC 2131's
/// 60 s, or for a lease shorter than 32 minutes lease/32 (at least
/// MIN_RETRY_FLOOR_MS), so a 2-minute lease still gets several tries
/// between T1 and its end.
long retry_floor_ms(uint32_t lease_s);

class Renewal {
public:
    enum class State { BOUND, RENEWING, REBINDING, ENDED, INFINITE, STOPPED };

    /// What the caller does now.
    struct Step {
        bool send = false;      // send a DHCPREQUEST (build_renew)...
        bool broadcast = false; // ...to 255.255.255.255, else unicast to server()
        bool new_xid = false;   // with a new transaction id (a new state)
        bool write_lease = false; // an ACK was taken: rewrite the lease file from lease()
        std::string log;        // one line to log ("" = nothing)
        long next_ms = -1;      // call tick() again at this time (-1: no timer)
    };

    /// The lease `bound` (the boot's ACK, or the lease file's record of it)
    /// on `ifname`, bound at `bound_at_ms` (the time the REQUEST that got
    /// it was sent). Starts BOUND, or INFINITE for an infinite lease.
    Renewal(std::string ifname, const Lease &bound, long bound_at_ms);

    State state() const { return state_; }
    const Lease &lease() const { return lease_; }
    const LeaseTimers &timers() const { return timers_; }
    /// Time of the current lease's binding, T1, T2 and end, milliseconds.
    long bound_at_ms() const { return bound_at_; }
    long t1_ms() const { return bound_at_ + timers_.t1 * 1000L; }
    long t2_ms() const { return bound_at_ + timers_.t2 * 1000L; }
    long end_ms() const { return bound_at_ + timers_.lease * 1000L; }
    /// The server a RENEWING REQUEST goes to (the lease's option 54).
    const IpAddress &server() const { return lease_.server_id; }
    /// Whether the end of the lease has been reported (once per ending).
    bool reported() const { return reported_; }

    /// The timers at `now_ms`: enter RENEWING at T1, REBINDING at T2,
    /// ENDED at the lease's end, and say when a REQUEST is due (waits of
    /// half the time left to T2, resp. the lease's end, but at least
    /// retry_floor_ms(), and never past that point; ENDED_RETRY_MS once
    /// ENDED). Calling it early is harmless: it only says when to come back.
    Step tick(long now_ms);
    /// A REQUEST was sent at `now_ms` (the ACK's lease counts from the first
    /// one of a transaction, RFC 2131 4.4.5).
    void sent(long now_ms);
    /// A reply parse_reply() accepted for the current transaction. ACK for
    /// our address: BOUND with its times (Step::write_lease, a log line).
    /// ACK for another address: reported once, ignored (the root is on
    /// ours). NAK: ENDED, reported once with the server's message. Replies
    /// while BOUND, INFINITE or STOPPED are ignored.
    Step receive(const Lease &reply, long now_ms);
    /// Another program manages the interface now: STOPPED for good.
    void stop() { state_ = State::STOPPED; }

private:
    Step ended(long now_ms, const std::string &reason);

    std::string ifname_;
    Lease lease_;
    LeaseTimers timers_;
    long bound_at_ = 0;
    long floor_ms_ = RFC_RETRY_FLOOR_MS;
    State state_ = State::BOUND;
    long next_send_ = -1;     // when the next REQUEST is due
    long xid_sent_at_ = -1;   // first send of the current transaction
    bool reported_ = false;   // the end was reported
    bool other_reported_ = false; // an ACK for another address was reported
};

/// "BOUND", "RENEWING", ... for logs and tests.
const char *state_name(Renewal::State s);

} // namespace isr::dhcp
