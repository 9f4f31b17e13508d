// The client side of one DHCP exchange (RFC 2131 4.4.1: INIT ->
// SELECTING -> REQUESTING -> BOUND) as a state machine without sockets or
// clocks: which message to send next and what a parsed reply means.
// dhcp_client.cpp drives it with a packet socket and real time; the unit
// tests drive it with made-up replies.
#pragma once

#include "dhcp_packet.hpp"

#include <cstdint>

namespace isr::dhcp {

class Exchange {
public:
    enum class State {
        SELECTING,  // sending DISCOVER, waiting for an OFFER
        REQUESTING, // sending REQUEST for offer(), waiting for ACK or NAK
    };
    /// What receive() made of a reply.
    enum class Event {
        IGNORED, // not for this state (or a server other than the offer's)
        OFFERED, // took this OFFER: now REQUESTING
        ACKED,   // the lease: done
        NAKED,   // the server refused: call restart()
    };

    /// An exchange for chaddr `mac`, starting SELECTING with `xid`.
    Exchange(const Mac &mac, uint32_t xid);

    State state() const { return state_; }
    uint32_t xid() const { return xid_; }
    /// Messages sent in the current state (0 right after a state change).
    int attempts() const { return attempts_; }
    /// The OFFER taken (valid in REQUESTING).
    const Lease &offer() const { return offer_; }

    /// The next message to send (the UDP payload): a DISCOVER while
    /// SELECTING, else a REQUEST for offer(). `secs` is seconds since the
    /// client began acquiring (RFC 2131 table 5) and goes into a DISCOVER;
    /// a REQUEST carries the secs of the last DISCOVER sent instead (RFC
    /// 2131 4.4.1), whatever `secs` says. Counts one attempt.
    Bytes next_message(uint16_t secs);
    /// Back to SELECTING with a new transaction id `xid` (after a NAK, or
    /// when no ACK came).
    void restart(uint32_t xid);
    /// A reply parse_reply() accepted for xid(): an OFFER while SELECTING
    /// is taken; an ACK or NAK while REQUESTING counts when it comes from
    /// the offer's server (a NAK without a server identifier too).
    Event receive(const Lease &reply);

private:
    Mac mac_;
    uint32_t xid_;
    State state_ = State::SELECTING;
    int attempts_ = 0;
    uint16_t discover_secs_ = 0; // secs of the last DISCOVER sent
    Lease offer_;
};

} // namespace isr::dhcp
