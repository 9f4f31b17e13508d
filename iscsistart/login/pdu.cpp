#include "pdu.hpp"

#include "util/bytes.hpp"
#include "util/errors.hpp"

#include <cstdio>
#include <cstring>

namespace isr::pdu {

using bytes::get_be16;
using bytes::get_be24;
using bytes::get_be32;
using bytes::put_be16;
using bytes::put_be24;
using bytes::put_be32;

std::array<uint8_t, BHS_LEN> encode_login_request(const LoginRequest &r, uint32_t data_len)
{
    LoginRequestBhs h{}; // reserved fields, Version-max/min and TotalAHSLength stay 0
    h.opcode = IMMEDIATE_BIT | OP_LOGIN_REQ;
    h.flags = (uint8_t)((r.transit ? FLAG_TRANSIT : 0) | (r.cont ? FLAG_CONTINUE : 0) |
                        (r.csg & STAGE_MASK) << CSG_SHIFT | (r.transit ? (r.nsg & STAGE_MASK) : 0));
    put_be24(h.data_segment_length, data_len);
    std::memcpy(h.isid, r.isid.data(), sizeof h.isid);
    put_be16(h.tsih, r.tsih);
    put_be32(h.itt, r.itt);
    put_be16(h.cid, r.cid);
    put_be32(h.cmdsn, r.cmdsn);
    put_be32(h.exp_statsn, r.exp_statsn);
    return bhs_bytes(h);
}

std::array<uint8_t, BHS_LEN> encode_login_response(const LoginResponse &r)
{
    LoginResponseBhs h{};
    h.opcode = OP_LOGIN_RSP;
    h.flags = (uint8_t)((r.transit ? FLAG_TRANSIT : 0) | (r.cont ? FLAG_CONTINUE : 0) |
                        (r.csg & STAGE_MASK) << CSG_SHIFT | (r.transit ? (r.nsg & STAGE_MASK) : 0));
    h.version_max = r.version_max;
    h.version_active = r.version_active;
    h.total_ahs_length = r.ahs_len;
    put_be24(h.data_segment_length, r.data_len);
    std::memcpy(h.isid, r.isid.data(), sizeof h.isid);
    put_be16(h.tsih, r.tsih);
    put_be32(h.itt, r.itt);
    put_be32(h.statsn, r.statsn);
    put_be32(h.exp_cmdsn, r.exp_cmdsn);
    put_be32(h.max_cmdsn, r.max_cmdsn);
    h.status_class = r.status_class;
    h.status_detail = r.status_detail;
    return bhs_bytes(h);
}

void check_opcode(const uint8_t *b, uint8_t want, const char *who, const char *what)
{
    const uint8_t op = b[BHS_OPCODE] & OPCODE_MASK;
    if (op == want)
        return;
    char m[96];
    snprintf(m, sizeof m, "%s: expected a %s PDU, got opcode 0x%02x", who, what, op);
    throw Error(ISCSI_ERR_LOGIN, m);
}

LoginRequest decode_login_request(const uint8_t *b)
{
    check_opcode(b, OP_LOGIN_REQ, "login", "Login Request");
    LoginRequestBhs h;
    std::memcpy(&h, b, BHS_LEN);
    LoginRequest r;
    r.transit = h.flags & FLAG_TRANSIT;
    r.cont = h.flags & FLAG_CONTINUE;
    r.csg = (h.flags >> CSG_SHIFT) & STAGE_MASK;
    r.nsg = r.transit ? (h.flags & STAGE_MASK) : SECURITY;
    std::memcpy(r.isid.data(), h.isid, sizeof h.isid);
    r.tsih = get_be16(h.tsih);
    r.itt = get_be32(h.itt);
    r.cid = get_be16(h.cid);
    r.cmdsn = get_be32(h.cmdsn);
    r.exp_statsn = get_be32(h.exp_statsn);
    return r;
}

uint32_t data_segment_length(const uint8_t *bhs) { return get_be24(bhs + BHS_DATA_SEGMENT_LENGTH); }

uint8_t total_ahs_length(const uint8_t *bhs) { return bhs[BHS_TOTAL_AHS_LENGTH]; }

LoginResponse decode_login_response(const uint8_t *b)
{
    uint8_t op = b[BHS_OPCODE] & OPCODE_MASK;
    if (op == OP_REJECT) {
        char m[64];
        snprintf(m, sizeof m, "login: target sent a Reject PDU (reason 0x%02x)", b[REJECT_REASON]);
        throw Error(ISCSI_ERR_LOGIN, m);
    }
    check_opcode(b, OP_LOGIN_RSP, "login", "Login Response");
    LoginResponseBhs h;
    std::memcpy(&h, b, BHS_LEN);
    LoginResponse r;
    r.transit = h.flags & FLAG_TRANSIT;
    r.cont = h.flags & FLAG_CONTINUE;
    r.csg = (h.flags >> CSG_SHIFT) & STAGE_MASK;
    r.nsg = h.flags & STAGE_MASK;
    r.version_max = h.version_max;
    r.version_active = h.version_active;
    r.ahs_len = h.total_ahs_length;
    r.data_len = get_be24(h.data_segment_length);
    std::memcpy(r.isid.data(), h.isid, sizeof h.isid);
    r.tsih = get_be16(h.tsih);
    r.itt = get_be32(h.itt);
    r.statsn = get_be32(h.statsn);
    r.exp_cmdsn = get_be32(h.exp_cmdsn);
    r.max_cmdsn = get_be32(h.max_cmdsn);
    r.status_class = h.status_class;
    r.status_detail = h.status_detail;
    return r;
}

std::string isid_hex(const Isid &isid)
{
    char s[13];
    snprintf(s, sizeof s, "%02x%02x%02x%02x%02x%02x", isid[0], isid[1], isid[2], isid[3], isid[4], isid[5]);
    return s;
}

std::string status_text(uint8_t cls, uint8_t det)
{
    unsigned code = (unsigned)cls << 8 | det;
    switch (code) {
    case 0x0000: return "success";
    case 0x0101: return "target moved temporarily";
    case 0x0102: return "target moved permanently";
    case 0x0200: return "initiator error";
    case 0x0201: return "authentication failure";
    case 0x0202: return "authorization failure";
    case 0x0203: return "target not found";
    case 0x0204: return "target removed";
    case 0x0205: return "unsupported version";
    case 0x0206: return "too many connections";
    case 0x0207: return "missing parameter";
    case 0x0208: return "can't include in session";
    case 0x0209: return "session type not supported";
    case 0x020a: return "session does not exist";
    case 0x020b: return "invalid during login";
    case 0x0300: return "target error";
    case 0x0301: return "service unavailable";
    case 0x0302: return "out of resources";
    default: break;
    }
    char s[48];
    snprintf(s, sizeof s, "status class %u detail %u", cls, det);
    return s;
}

} // namespace isr::pdu
