#include "pdu.hpp"

#include "util/errors.hpp"

#include <cstdio>

namespace isr::pdu {
namespace {

void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = (v >> 16) & 0xff;
    p[2] = (v >> 8) & 0xff;
    p[3] = v & 0xff;
}

uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

} // namespace

std::array<uint8_t, BHS_LEN> encode_login_request(const LoginRequest &r, uint32_t data_len)
{
    std::array<uint8_t, BHS_LEN> b{};
    b[0] = IMMEDIATE_BIT | OP_LOGIN_REQ;
    b[1] = (r.transit ? FLAG_TRANSIT : 0) | (r.cont ? FLAG_CONTINUE : 0) | (uint8_t)((r.csg & 3) << 2) |
           (r.transit ? (r.nsg & 3) : 0);
    b[2] = 0; // Version-max
    b[3] = 0; // Version-min
    b[4] = 0; // TotalAHSLength
    b[5] = (data_len >> 16) & 0xff;
    b[6] = (data_len >> 8) & 0xff;
    b[7] = data_len & 0xff;
    for (int i = 0; i < 6; ++i)
        b[8 + i] = r.isid[i];
    put16(&b[14], r.tsih);
    put32(&b[16], r.itt);
    put16(&b[20], r.cid);
    put32(&b[24], r.cmdsn);
    put32(&b[28], r.exp_statsn);
    return b;
}

uint32_t data_segment_length(const uint8_t *bhs) { return (uint32_t)bhs[5] << 16 | (uint32_t)bhs[6] << 8 | bhs[7]; }

uint8_t total_ahs_length(const uint8_t *bhs) { return bhs[4]; }

LoginResponse decode_login_response(const uint8_t *b)
{
    uint8_t op = b[0] & 0x3f;
    if (op == OP_REJECT)
        throw Error(ISCSI_ERR_LOGIN, "login: target sent a Reject PDU (reason 0x" +
                                         [&] { char h[3]; snprintf(h, sizeof h, "%02x", b[2]); return std::string(h); }() + ")");
    if (op != OP_LOGIN_RSP) {
        char m[80];
        snprintf(m, sizeof m, "login: expected a Login Response PDU, got opcode 0x%02x", op);
        throw Error(ISCSI_ERR_LOGIN, m);
    }
    LoginResponse r;
    r.transit = b[1] & FLAG_TRANSIT;
    r.cont = b[1] & FLAG_CONTINUE;
    r.csg = (b[1] >> 2) & 3;
    r.nsg = b[1] & 3;
    r.version_max = b[2];
    r.version_active = b[3];
    r.ahs_len = b[4];
    r.data_len = data_segment_length(b);
    for (int i = 0; i < 6; ++i)
        r.isid[i] = b[8 + i];
    r.tsih = get16(&b[14]);
    r.itt = get32(&b[16]);
    r.statsn = get32(&b[24]);
    r.exp_cmdsn = get32(&b[28]);
    r.max_cmdsn = get32(&b[32]);
    r.status_class = b[36];
    r.status_detail = b[37];
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
