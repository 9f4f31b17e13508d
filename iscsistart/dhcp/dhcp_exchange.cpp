#include "dhcp_exchange.hpp"

#include <cstring>

namespace isr::dhcp {

namespace {

bool same(const net::IpAddress &a, const net::IpAddress &b)
{
    return a.family == b.family && memcmp(a.bytes.data(), b.bytes.data(), 4) == 0;
}

} // namespace

Exchange::Exchange(const Mac &mac, uint32_t xid) : mac_(mac), xid_(xid) {}

Bytes Exchange::next_message(uint16_t secs)
{
    ++attempts_;
    if (state_ == State::SELECTING) {
        discover_secs_ = secs;
        return build_discover(mac_, xid_, secs);
    }
    // RFC 2131 4.4.1: the REQUEST "MUST use the same value in the DHCP
    // message header's 'secs' field" as the DISCOVER; the OFFER answers
    // the latest one (all DISCOVERs of an xid look alike to a server).
    return build_request(mac_, xid_, discover_secs_, offer_.your_ip, offer_.server_id);
}

void Exchange::restart(uint32_t xid)
{
    state_ = State::SELECTING;
    xid_ = xid;
    attempts_ = 0;
}

Exchange::Event Exchange::receive(const Lease &l)
{
    if (state_ == State::SELECTING && l.type == DHCPOFFER) {
        offer_ = l;
        state_ = State::REQUESTING;
        attempts_ = 0;
        return Event::OFFERED;
    }
    if (state_ == State::REQUESTING && l.type == DHCPACK && same(l.server_id, offer_.server_id))
        return Event::ACKED;
    if (state_ == State::REQUESTING && l.type == DHCPNAK && (!l.server_id.set() || same(l.server_id, offer_.server_id)))
        return Event::NAKED;
    return Event::IGNORED;
}

} // namespace isr::dhcp
