// The login of the benchmark's refusing target, one connection's worth:
// enough of RFC 7143's login phase (6.3, 11.12, 11.13) to let a no-auth
// initiator in. Pure: it turns each Login Request (BHS and unpadded data
// segment) into the Login Response's bytes; the caller moves them.
//   security stage: AuthMethod must offer None; TargetName must be ours
//   operational stage: each offered key is answered (the initiator's value
//     for negotiable keys, so every RFC 7143 rule gives that value back;
//     digests None; MaxRecvDataSegmentLength declared; unknown keys
//     NotUnderstood, the obsolete marker keys Reject)
//   the response to T=1 NSG=3 completes the login (TSIH given).
#pragma once

#include "iscsistart/login/pdu.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace isr::bench {

struct Reply {
    std::vector<uint8_t> bytes; // BHS, data segment and its padding
    bool done = false;          // the final response: full-feature phase from here
    bool close = false;         // an error status: close after sending
};

class Responder {
public:
    /// `target`: our TargetName; `tsih`: the session handle for the final
    /// response (non-zero).
    Responder(std::string target, uint16_t tsih) : target_(std::move(target)), tsih_(tsih) {}

    /// The response to one Login Request. Bad input (not a Login Request,
    /// malformed keys, a C bit, a missing or wrong key) gets a class 2
    /// status (initiator error) with close set, never an exception.
    Reply on_request(const uint8_t *bhs, const uint8_t *data, std::size_t len);

    /// The refusal for a login above the limit: `detail` 1 (0301 service
    /// unavailable) or 2 (0302 out of resources), status class 3, in the
    /// request's stage, no T, no data; close set.
    static Reply refusal(const uint8_t *bhs, uint8_t detail);

private:
    Reply status(const pdu::LoginRequest &rq, uint8_t cls, uint8_t det);
    Reply respond(const pdu::LoginRequest &rq, bool transit, uint8_t nsg, const std::vector<uint8_t> &data);

    std::string target_;
    uint16_t tsih_;
    uint32_t statsn_ = 1;
    bool first_ = true;
    bool declared_ = false; // MaxRecvDataSegmentLength sent
};

} // namespace isr::bench
