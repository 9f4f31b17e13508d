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
constexpr uint8_t OP_LOGIN_REQ = 0x03;
constexpr uint8_t OP_LOGIN_RSP = 0x23;
constexpr uint8_t OP_REJECT = 0x3f;
constexpr uint8_t IMMEDIATE_BIT = 0x40;
constexpr uint8_t FLAG_TRANSIT = 0x80;
constexpr uint8_t FLAG_CONTINUE = 0x40;

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
