// SendTargets (RFC 7143 section 13.3 and appendix C): the Text exchange
// of a discovery session as a pure state machine, the parser of its
// answer into one record per portal of each target, and iscsiadm's line
// format for the records. No I/O: discovery/client.cpp moves the bytes.
#pragma once

#include "text_pdu.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace isr::discovery {

/// One portal of one discovered target.
struct Record {
    std::string target_name; // TargetName, as the target sent it
    std::string host;        // TargetAddress's host: IPv4, IPv6 (without brackets) or name
    uint16_t port = 3260;    // TargetAddress's port (3260 when it names none)
    int tpgt = -1;           // TargetAddress's portal group tag; -1 when it names none
    bool operator==(const Record &) const = default;
};

/// Bytes of SendTargets answer we accept in all (across PDUs), and PDUs.
constexpr std::size_t MAX_TEXT = 1 << 20;
constexpr int MAX_TEXT_PDUS = 1024;

/// Parse the data of a SendTargets answer (all its Text Responses'
/// data segments, concatenated) into records, in the target's order: each
/// TargetName= starts a target, each TargetAddress=host[:port][,tpgt]
/// after it (IPv6 in brackets) is one of its portals; a target with no
/// TargetAddress is reached through the portal we asked, `asked_host`:
/// `asked_port` with tpgt -1 (RFC 7143 appendix C; open-iscsi does the
/// same). Other keys are skipped. NUL padding is ignored. Throws
/// isr::Error(ISCSI_ERR_LOGIN) with a one-line message naming the key for:
/// a pair without '=', a TargetAddress before any TargetName, an empty or
/// over-long (223 bytes) TargetName or one with spaces or control bytes,
/// a malformed TargetAddress (host, port or tag), and a SendTargets answer
/// (Reject, Irrelevant, NotUnderstood) instead of targets.
std::vector<Record> parse_send_targets(const uint8_t *data, std::size_t len, std::string_view asked_host,
                                       uint16_t asked_port);

/// The line `iscsiadm -m discovery -t st` prints for `r`, without the
/// newline: "HOST:PORT,TPGT NAME", the host in brackets unless it has a
/// '.' (open-iscsi's rule: IPv6 addresses, but also names without a dot).
std::string format_record(const Record &r);

/// The Text exchange "SendTargets=All" (RFC 7143 11.10, 11.11): the first
/// request carries the key with TTT 0xffffffff; while a response has F=0
/// (its text goes on, C set or not), the next request is empty with the
/// target's TTT. Request PDUs are non-immediate, one CmdSN each.
class SendTargetsExchange {
public:
    /// `itt`: this exchange's Initiator Task Tag; `cmdsn`, `exp_statsn`:
    /// from the login (Negotiated); `max_recv_dlength`: the
    /// MaxRecvDataSegmentLength we declared (bytes): longer responses are
    /// refused.
    SendTargetsExchange(uint32_t itt, uint32_t cmdsn, uint32_t exp_statsn, uint32_t max_recv_dlength);

    struct Request {
        std::array<uint8_t, pdu::BHS_LEN> bhs;
        std::vector<uint8_t> data; // unpadded
    };
    /// The next Text Request. Valid until done().
    Request next_request();

    /// Consume one Text Response (BHS and its unpadded data). Returns true
    /// when it was the last (F set). Throws isr::Error(ISCSI_ERR_LOGIN) for
    /// a wrong ITT, a data segment over max_recv_dlength, F and C both
    /// set, a final response whose TTT is not 0xffffffff or a non-final one
    /// whose TTT is (11.11.4), more than MAX_TEXT bytes or MAX_TEXT_PDUS
    /// PDUs, or a response before a request.
    bool on_response(const pdu::TextResponse &rsp, const uint8_t *data, std::size_t len);

    bool done() const { return done_; }
    /// All response data so far, concatenated (for parse_send_targets).
    const std::vector<uint8_t> &text() const { return text_; }
    /// The CmdSN the next command (the Logout) carries.
    uint32_t cmdsn() const { return cmdsn_; }
    /// StatSN of the last response + 1.
    uint32_t exp_statsn() const { return exp_statsn_; }

private:
    uint32_t itt_;
    uint32_t cmdsn_;
    uint32_t exp_statsn_;
    uint32_t max_recv_dlength_;
    uint32_t ttt_ = pdu::RESERVED_TAG;
    bool first_ = true;
    bool waiting_ = false; // a request is out
    bool done_ = false;
    int pdus_ = 0;
    std::vector<uint8_t> text_;
};

} // namespace isr::discovery
