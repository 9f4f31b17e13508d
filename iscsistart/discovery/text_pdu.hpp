// Text Request/Response and Logout Request/Response BHS (RFC 7143 sections
// 11.10, 11.11, 11.14, 11.15), the PDUs of a discovery session after its
// login. Pure encode/decode, no I/O; the login's PDUs are login/pdu.hpp.
#pragma once

#include "../login/pdu.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace isr::pdu {

constexpr uint8_t OP_TEXT_REQ = 0x04;
constexpr uint8_t OP_TEXT_RSP = 0x24;
constexpr uint8_t OP_LOGOUT_REQ = 0x06;
constexpr uint8_t OP_LOGOUT_RSP = 0x26;
constexpr uint8_t FLAG_FINAL = 0x80;      // byte 1: F (11.10.1, 11.11.1)
constexpr uint8_t LOGOUT_REASON_MASK = 0x7f;
constexpr uint8_t LOGOUT_CLOSE_SESSION = 0; // Reason Code 0 (11.14.1)
/// The Target Transfer Tag of a new text exchange, and of a target's last
/// response (11.10.4, 11.11.4).
constexpr uint32_t RESERVED_TAG = 0xffffffff;

/// Text Request BHS, RFC 7143 section 11.10.
struct TextRequestBhs {
    uint8_t opcode;                 // 0: I bit | 0x04
    uint8_t flags;                  // 1: F, C
    uint8_t reserved1[2];           // 2-3
    uint8_t total_ahs_length;       // 4
    uint8_t data_segment_length[3]; // 5-7
    uint8_t lun[8];                 // 8-15
    uint8_t itt[4];                 // 16-19
    uint8_t ttt[4];                 // 20-23: Target Transfer Tag
    uint8_t cmdsn[4];               // 24-27
    uint8_t exp_statsn[4];          // 28-31
    uint8_t reserved2[16];          // 32-47
};

/// Text Response BHS, RFC 7143 section 11.11.
struct TextResponseBhs {
    uint8_t opcode;                 // 0: 0x24
    uint8_t flags;                  // 1: F, C
    uint8_t reserved1[2];           // 2-3
    uint8_t total_ahs_length;       // 4
    uint8_t data_segment_length[3]; // 5-7
    uint8_t lun[8];                 // 8-15
    uint8_t itt[4];                 // 16-19
    uint8_t ttt[4];                 // 20-23
    uint8_t statsn[4];              // 24-27
    uint8_t exp_cmdsn[4];           // 28-31
    uint8_t max_cmdsn[4];           // 32-35
    uint8_t reserved2[12];          // 36-47
};

/// Logout Request BHS, RFC 7143 section 11.14.
struct LogoutRequestBhs {
    uint8_t opcode;                 // 0: I bit | 0x06
    uint8_t flags;                  // 1: 1 (bit 0) | Reason Code
    uint8_t reserved1[2];           // 2-3
    uint8_t total_ahs_length;       // 4
    uint8_t data_segment_length[3]; // 5-7
    uint8_t reserved2[8];           // 8-15
    uint8_t itt[4];                 // 16-19
    uint8_t cid[2];                 // 20-21 (reserved for reason 0)
    uint8_t reserved3[2];           // 22-23
    uint8_t cmdsn[4];               // 24-27
    uint8_t exp_statsn[4];          // 28-31
    uint8_t reserved4[16];          // 32-47
};

/// Logout Response BHS, RFC 7143 section 11.15.
struct LogoutResponseBhs {
    uint8_t opcode;                 // 0: 0x26
    uint8_t flags;                  // 1: 0x80
    uint8_t response;               // 2: 0 closed successfully (11.15.1)
    uint8_t reserved1;              // 3
    uint8_t total_ahs_length;       // 4
    uint8_t data_segment_length[3]; // 5-7
    uint8_t reserved2[8];           // 8-15
    uint8_t itt[4];                 // 16-19
    uint8_t reserved3[4];           // 20-23
    uint8_t statsn[4];              // 24-27
    uint8_t exp_cmdsn[4];           // 28-31
    uint8_t max_cmdsn[4];           // 32-35
    uint8_t reserved4[4];           // 36-39
    uint8_t time2wait[2];           // 40-41
    uint8_t time2retain[2];         // 42-43
    uint8_t reserved5[4];           // 44-47
};

static_assert(sizeof(TextRequestBhs) == BHS_LEN && sizeof(TextResponseBhs) == BHS_LEN &&
              sizeof(LogoutRequestBhs) == BHS_LEN && sizeof(LogoutResponseBhs) == BHS_LEN);
static_assert(offsetof(TextRequestBhs, data_segment_length) == 5 && offsetof(TextRequestBhs, lun) == 8 &&
              offsetof(TextRequestBhs, itt) == 16 && offsetof(TextRequestBhs, ttt) == 20 &&
              offsetof(TextRequestBhs, cmdsn) == 24 && offsetof(TextRequestBhs, exp_statsn) == 28);
static_assert(offsetof(TextResponseBhs, itt) == 16 && offsetof(TextResponseBhs, ttt) == 20 &&
              offsetof(TextResponseBhs, statsn) == 24 && offsetof(TextResponseBhs, exp_cmdsn) == 28 &&
              offsetof(TextResponseBhs, max_cmdsn) == 32);
static_assert(offsetof(LogoutRequestBhs, itt) == 16 && offsetof(LogoutRequestBhs, cid) == 20 &&
              offsetof(LogoutRequestBhs, cmdsn) == 24 && offsetof(LogoutRequestBhs, exp_statsn) == 28);
static_assert(offsetof(LogoutResponseBhs, response) == 2 && offsetof(LogoutResponseBhs, itt) == 16 &&
              offsetof(LogoutResponseBhs, statsn) == 24 && offsetof(LogoutResponseBhs, time2wait) == 40 &&
              offsetof(LogoutResponseBhs, time2retain) == 42);

/// Fields of a Text Request (RFC 7143 11.10).
struct TextRequest {
    bool immediate = false;
    bool final = true;     // F: the last PDU of this request's text
    bool cont = false;     // C: the text goes on in the next PDU
    uint32_t itt = 0;
    uint32_t ttt = RESERVED_TAG; // the target's TTT when asking for more
    uint32_t cmdsn = 0;
    uint32_t exp_statsn = 0;
};

/// Fields of a Text Response (RFC 7143 11.11).
struct TextResponse {
    bool final = false;
    bool cont = false;
    uint32_t data_len = 0; // DataSegmentLength, bytes (without padding)
    uint32_t itt = 0;
    uint32_t ttt = RESERVED_TAG;
    uint32_t statsn = 0;
    uint32_t exp_cmdsn = 0;
    uint32_t max_cmdsn = 0;
};

/// Fields of a Logout Request (RFC 7143 11.14).
struct LogoutRequest {
    uint8_t reason = LOGOUT_CLOSE_SESSION;
    uint32_t itt = 0;
    uint16_t cid = 0;
    uint32_t cmdsn = 0;
    uint32_t exp_statsn = 0;
};

/// Fields of a Logout Response (RFC 7143 11.15).
struct LogoutResponse {
    uint8_t response = 0;
    uint32_t itt = 0;
    uint32_t statsn = 0;
    uint16_t time2wait = 0;   // seconds
    uint16_t time2retain = 0; // seconds
};

/// Encode a Text Request BHS for a data segment of `data_len` bytes.
std::array<uint8_t, BHS_LEN> encode_text_request(const TextRequest &r, uint32_t data_len);

/// Decode a 48-byte BHS as a Text Response. Throws isr::Error
/// (ISCSI_ERR_LOGIN) naming the opcode when it is another PDU (a Reject
/// with its reason).
TextResponse decode_text_response(const uint8_t *bhs);

/// Encode a Logout Request BHS (no data segment). Always immediate, as
/// open-iscsi and the kernel send it.
std::array<uint8_t, BHS_LEN> encode_logout_request(const LogoutRequest &r);

/// Decode a 48-byte BHS as a Logout Response. Throws isr::Error
/// (ISCSI_ERR_LOGIN) when it is another PDU.
LogoutResponse decode_logout_response(const uint8_t *bhs);

} // namespace isr::pdu
