#include "text_pdu.hpp"

#include "util/bytes.hpp"
#include "util/errors.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace isr::pdu {
namespace {

using bytes::get_be16;
using bytes::get_be32;
using bytes::put_be16;
using bytes::put_be24;
using bytes::put_be32;

// The opcode of `b` must be `want` (`what` names it for the message); a
// Reject says its reason.
void expect_opcode(const uint8_t *b, uint8_t want, const char *what)
{
    if ((b[BHS_OPCODE] & OPCODE_MASK) == OP_REJECT && want != OP_REJECT) {
        char m[96];
        snprintf(m, sizeof m, "discovery: target sent a Reject PDU (reason 0x%02x) instead of a %s", b[REJECT_REASON],
                 what);
        throw Error(ISCSI_ERR_LOGIN, m);
    }
    check_opcode(b, want, "discovery", what);
}

} // namespace

std::array<uint8_t, BHS_LEN> encode_text_request(const TextRequest &r, uint32_t data_len)
{
    TextRequestBhs h{}; // LUN and reserved fields stay 0
    h.opcode = (uint8_t)((r.immediate ? IMMEDIATE_BIT : 0) | OP_TEXT_REQ);
    h.flags = (uint8_t)((r.final ? FLAG_FINAL : 0) | (r.cont ? FLAG_CONTINUE : 0));
    put_be24(h.data_segment_length, data_len);
    put_be32(h.itt, r.itt);
    put_be32(h.ttt, r.ttt);
    put_be32(h.cmdsn, r.cmdsn);
    put_be32(h.exp_statsn, r.exp_statsn);
    return bhs_bytes(h);
}

TextResponse decode_text_response(const uint8_t *b)
{
    expect_opcode(b, OP_TEXT_RSP, "Text Response");
    TextResponseBhs h;
    std::memcpy(&h, b, BHS_LEN);
    TextResponse r;
    r.final = h.flags & FLAG_FINAL;
    r.cont = h.flags & FLAG_CONTINUE;
    r.data_len = bytes::get_be24(h.data_segment_length);
    r.itt = get_be32(h.itt);
    r.ttt = get_be32(h.ttt);
    r.statsn = get_be32(h.statsn);
    r.exp_cmdsn = get_be32(h.exp_cmdsn);
    r.max_cmdsn = get_be32(h.max_cmdsn);
    return r;
}

std::array<uint8_t, BHS_LEN> encode_logout_request(const LogoutRequest &r)
{
    LogoutRequestBhs h{};
    h.opcode = IMMEDIATE_BIT | OP_LOGOUT_REQ;
    h.flags = (uint8_t)(FLAG_FINAL | (r.reason & LOGOUT_REASON_MASK));
    put_be32(h.itt, r.itt);
    put_be16(h.cid, r.cid);
    put_be32(h.cmdsn, r.cmdsn);
    put_be32(h.exp_statsn, r.exp_statsn);
    return bhs_bytes(h);
}

LogoutResponse decode_logout_response(const uint8_t *b)
{
    expect_opcode(b, OP_LOGOUT_RSP, "Logout Response");
    LogoutResponseBhs h;
    std::memcpy(&h, b, BHS_LEN);
    LogoutResponse r;
    r.response = h.response;
    r.itt = get_be32(h.itt);
    r.statsn = get_be32(h.statsn);
    r.time2wait = get_be16(h.time2wait);
    r.time2retain = get_be16(h.time2retain);
    return r;
}

} // namespace isr::pdu
