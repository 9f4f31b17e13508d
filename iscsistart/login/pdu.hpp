// iSCSI Basic Header Segment (BHS) for the Login Request and Login Response
// PDUs, RFC 7143 sections 11.12 and 11.13. Pure encode/decode: no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace isr::pdu {

constexpr std::size_t BHS_LEN = 48;

/// The 48 wire bytes of a filled-in basic header segment struct (one of
/// the packed *Bhs layouts, fields already in network byte order).
template <class Bhs> std::array<uint8_t, BHS_LEN> bhs_bytes(const Bhs &h)
{
    static_assert(sizeof(Bhs) == BHS_LEN, "a BHS is 48 bytes");
    std::array<uint8_t, BHS_LEN> b;
    __builtin_memcpy(b.data(), &h, BHS_LEN);
    return b;
}
constexpr uint8_t OP_LOGIN_REQ = 0x03;
constexpr uint8_t OP_LOGIN_RSP = 0x23;
constexpr uint8_t OP_REJECT = 0x3f;
constexpr uint8_t OPCODE_MASK = 0x3f;   // byte 0 without the I bit (and the reserved bit 7)
constexpr uint8_t IMMEDIATE_BIT = 0x40;
constexpr uint8_t FLAG_TRANSIT = 0x80;  // byte 1: T (RFC 7143 11.12.1)
constexpr uint8_t FLAG_CONTINUE = 0x40; // byte 1: C (11.12.2)
constexpr unsigned CSG_SHIFT = 2;       // byte 1: CSG in bits 2-3, NSG in bits 0-1 (11.12.3)
constexpr uint8_t STAGE_MASK = 0x03;

// Byte layouts of the two BHS kinds, field by field as RFC 7143 draws them
// (11.12 Login Request, 11.13 Login Response). Every member is a byte or a
// byte array, so there is no padding and each offsetof() is the RFC's byte
// offset; multi-byte fields are big-endian, read and written with
// util/bytes.hpp. The encoder and decoder use these and nothing else.

/// Login Request BHS, RFC 7143 section 11.12.
struct LoginRequestBhs {
    uint8_t opcode;                 // 0: I bit | 0x03
    uint8_t flags;                  // 1: T, C, CSG, NSG
    uint8_t version_max;            // 2
    uint8_t version_min;            // 3
    uint8_t total_ahs_length;       // 4: 4-byte words
    uint8_t data_segment_length[3]; // 5-7: bytes
    uint8_t isid[6];                // 8-13
    uint8_t tsih[2];                // 14-15
    uint8_t itt[4];                 // 16-19: Initiator Task Tag
    uint8_t cid[2];                 // 20-21
    uint8_t reserved1[2];           // 22-23
    uint8_t cmdsn[4];               // 24-27
    uint8_t exp_statsn[4];          // 28-31
    uint8_t reserved2[16];          // 32-47
};

/// Login Response BHS, RFC 7143 section 11.13.
struct LoginResponseBhs {
    uint8_t opcode;                 // 0: 0x23
    uint8_t flags;                  // 1: T, C, CSG, NSG
    uint8_t version_max;            // 2
    uint8_t version_active;         // 3
    uint8_t total_ahs_length;       // 4
    uint8_t data_segment_length[3]; // 5-7
    uint8_t isid[6];                // 8-13
    uint8_t tsih[2];                // 14-15
    uint8_t itt[4];                 // 16-19
    uint8_t reserved1[4];           // 20-23
    uint8_t statsn[4];              // 24-27
    uint8_t exp_cmdsn[4];           // 28-31
    uint8_t max_cmdsn[4];           // 32-35
    uint8_t status_class;           // 36
    uint8_t status_detail;          // 37
    uint8_t reserved2[10];          // 38-47
};

static_assert(sizeof(LoginRequestBhs) == BHS_LEN && sizeof(LoginResponseBhs) == BHS_LEN);
static_assert(offsetof(LoginRequestBhs, flags) == 1 && offsetof(LoginRequestBhs, version_max) == 2 &&
              offsetof(LoginRequestBhs, version_min) == 3 && offsetof(LoginRequestBhs, total_ahs_length) == 4 &&
              offsetof(LoginRequestBhs, data_segment_length) == 5 && offsetof(LoginRequestBhs, isid) == 8 &&
              offsetof(LoginRequestBhs, tsih) == 14 && offsetof(LoginRequestBhs, itt) == 16 &&
              offsetof(LoginRequestBhs, cid) == 20 && offsetof(LoginRequestBhs, reserved1) == 22 &&
              offsetof(LoginRequestBhs, cmdsn) == 24 && offsetof(LoginRequestBhs, exp_statsn) == 28 &&
              offsetof(LoginRequestBhs, reserved2) == 32);
static_assert(offsetof(LoginResponseBhs, flags) == 1 && offsetof(LoginResponseBhs, version_max) == 2 &&
              offsetof(LoginResponseBhs, version_active) == 3 && offsetof(LoginResponseBhs, total_ahs_length) == 4 &&
              offsetof(LoginResponseBhs, data_segment_length) == 5 && offsetof(LoginResponseBhs, isid) == 8 &&
              offsetof(LoginResponseBhs, tsih) == 14 && offsetof(LoginResponseBhs, itt) == 16 &&
              offsetof(LoginResponseBhs, reserved1) == 20 && offsetof(LoginResponseBhs, statsn) == 24 &&
              offsetof(LoginResponseBhs, exp_cmdsn) == 28 && offsetof(LoginResponseBhs, max_cmdsn) == 32 &&
              offsetof(LoginResponseBhs, status_class) == 36 && offsetof(LoginResponseBhs, status_detail) == 37 &&
              offsetof(LoginResponseBhs, reserved2) == 38);

/// Byte offsets every BHS shares (RFC 7143 11.2.1), for reading a header
/// before its opcode is known.
constexpr std::size_t BHS_OPCODE = offsetof(LoginResponseBhs, opcode);
constexpr std::size_t BHS_TOTAL_AHS_LENGTH = offsetof(LoginResponseBhs, total_ahs_length);
constexpr std::size_t BHS_DATA_SEGMENT_LENGTH = offsetof(LoginResponseBhs, data_segment_length);
/// Byte 2 of a Reject PDU is its Reason (RFC 7143 11.17.1).
constexpr std::size_t REJECT_REASON = 2;

/// Login stages (CSG/NSG), RFC 7143 section 11.12.3.
enum Stage : uint8_t { SECURITY = 0, OPERATIONAL = 1, FULL_FEATURE = 3 };

using Isid = std::array<uint8_t, 6>;

/// Fields of a Login Request (RFC 7143 11.12).
struct LoginRequest {
    bool transit = false;
    bool cont = false;
    uint8_t csg = SECURITY;
    uint8_t nsg = SECURITY;
    Isid isid{};
    uint16_t tsih = 0;
    uint32_t itt = 0;
    uint16_t cid = 0;
    uint32_t cmdsn = 0;
    uint32_t exp_statsn = 0;
};

/// Fields of a Login Response (RFC 7143 11.13).
struct LoginResponse {
    bool transit = false;
    bool cont = false;
    uint8_t csg = 0;
    uint8_t nsg = 0;
    uint8_t version_max = 0;
    uint8_t version_active = 0;
    uint32_t data_len = 0;   // DataSegmentLength, bytes (without padding)
    uint8_t ahs_len = 0;     // TotalAHSLength, 4-byte words
    Isid isid{};
    uint16_t tsih = 0;
    uint32_t itt = 0;
    uint32_t statsn = 0;
    uint32_t exp_cmdsn = 0;
    uint32_t max_cmdsn = 0;
    uint8_t status_class = 0;
    uint8_t status_detail = 0;
};

/// Encode a Login Request BHS for a data segment of `data_len` bytes.
std::array<uint8_t, BHS_LEN> encode_login_request(const LoginRequest &r, uint32_t data_len);

/// The target's side of the same two PDUs, for the scripted targets of
/// the tests and the benchmark (iscsistart itself never calls them).
/// Encode a Login Response BHS; r.data_len is its DataSegmentLength
/// (bytes, without padding), r.ahs_len its TotalAHSLength.
std::array<uint8_t, BHS_LEN> encode_login_response(const LoginResponse &r);

/// Decode a 48-byte BHS as a Login Request (RFC 7143 11.12); NSG is read
/// only when T is set. Throws isr::Error(ISCSI_ERR_LOGIN) when the opcode
/// is not Login Request.
LoginRequest decode_login_request(const uint8_t *bhs);

/// Checks that the opcode of the BHS at `bhs` (without the I bit) is `want`;
/// otherwise throws Error(ISCSI_ERR_LOGIN) "WHO: expected a WHAT PDU, got
/// opcode 0xNN" (`who`: "login", "discovery"; `what`: "Login Response").
void check_opcode(const uint8_t *bhs, uint8_t want, const char *who, const char *what);

/// Decode a 48-byte BHS as a Login Response.
/// Throws isr::Error(ISCSI_ERR_LOGIN) when the opcode is not Login Response
/// (a Reject PDU is reported as such).
LoginResponse decode_login_response(const uint8_t *bhs);

/// Read DataSegmentLength (bytes, 24 bits) from any BHS.
uint32_t data_segment_length(const uint8_t *bhs);
/// Read TotalAHSLength (in 4-byte words) from any BHS.
uint8_t total_ahs_length(const uint8_t *bhs);
/// Bytes of padding that follow a data segment of `len` bytes (0..3).
inline std::size_t pad_len(std::size_t len) { return (4 - (len & 3)) & 3; }

/// ISID as the 12-hex-digit string the kernel's ISCSI_PARAM_ISID takes.
std::string isid_hex(const Isid &isid);

/// Human-readable text for a login Status-Class/Status-Detail pair
/// (RFC 7143 section 11.13.5).
std::string status_text(uint8_t status_class, uint8_t status_detail);

} // namespace isr::pdu
