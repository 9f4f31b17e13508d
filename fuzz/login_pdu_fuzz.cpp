// libFuzzer target: the Login Response BHS decoder and the text key=value
// parser must turn any bytes into fields and keys or an isr::Error, never
// crash, hang or read out of bounds (ASan, UBSan). The input is taken as a
// PDU as pdu::recv_pdu delivers it (48-byte BHS, AHS skipped, data segment
// cut to what is there) and, whole, as a data segment, so mutations reach
// the text parser without having to grow a BHS first. Checked on the way:
// parsed keys encode and parse back to the same list, describe() masks
// CHAP_R/CHAP_C, binary values decode the same after encode_hex, and the
// request encoder round-trips through the response decoder.
#include "../iscsistart/login/chap.hpp"
#include "../iscsistart/login/pdu.hpp"
#include "../iscsistart/login/text_keys.hpp"
#include "util/errors.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace isr;

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

static void keys_one(const uint8_t *data, size_t size)
{
    text::KeyList keys;
    try {
        keys = text::parse(data, size);
    } catch (const Error &) {
        return;
    }
    std::vector<uint8_t> again;
    for (const auto &[k, v] : keys)
        text::append(again, k, v);
    check(text::parse(again.data(), again.size()) == keys);

    std::string d = text::describe(keys);
    for (const auto &[k, v] : keys) {
        check(text::find(keys, k) == &v); // no key twice
        if (text::is_sensitive(k))
            check(d.find(k + "=***") != std::string::npos);
        if (auto b = chap::decode_binary(v)) {
            check(!b->empty());
            auto b2 = chap::decode_binary(chap::encode_hex(*b));
            check(b2 && *b2 == *b);
        }
    }
}

static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void encode_round_trip(const uint8_t *b)
{
    pdu::LoginRequest r;
    r.transit = b[1] & 0x80;
    r.cont = b[1] & 0x40;
    r.csg = (b[1] >> 2) & 3;
    r.nsg = b[1] & 3;
    memcpy(r.isid.data(), b + 8, 6);
    r.tsih = (uint16_t)(b[14] << 8 | b[15]);
    r.itt = get32(b + 16);
    r.cid = (uint16_t)(b[20] << 8 | b[21]);
    r.cmdsn = get32(b + 24);
    r.exp_statsn = get32(b + 28);
    uint32_t dlen = pdu::data_segment_length(b);
    auto e = pdu::encode_login_request(r, dlen);
    check(e[0] == (pdu::IMMEDIATE_BIT | pdu::OP_LOGIN_REQ));
    e[0] = pdu::OP_LOGIN_RSP; // same layout where both have the field
    auto d = pdu::decode_login_response(e.data());
    check(d.transit == r.transit && d.cont == r.cont && d.csg == r.csg);
    check(d.nsg == (r.transit ? r.nsg : 0));
    check(d.isid == r.isid && d.tsih == r.tsih && d.itt == r.itt && d.data_len == dlen);
    check(d.statsn == r.cmdsn && d.exp_cmdsn == r.exp_statsn && d.ahs_len == 0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keys_one(data, size);
    if (size < pdu::BHS_LEN)
        return 0;
    encode_round_trip(data);
    try {
        pdu::LoginResponse r = pdu::decode_login_response(data);
        check(r.data_len == pdu::data_segment_length(data) && r.data_len < (1u << 24));
        check(r.ahs_len == pdu::total_ahs_length(data) && r.csg < 4 && r.nsg < 4);
        check(!pdu::status_text(r.status_class, r.status_detail).empty());
        check(pdu::isid_hex(r.isid).size() == 12);
    } catch (const Error &) {
    }
    // The data segment as recv_pdu cuts it: after the AHS, at most
    // DataSegmentLength bytes, then padding to 4 bytes.
    size_t off = pdu::BHS_LEN + (size_t)pdu::total_ahs_length(data) * 4;
    if (off > size)
        return 0;
    size_t len = std::min<size_t>(pdu::data_segment_length(data), size - off);
    check(pdu::pad_len(len) < 4 && (len + pdu::pad_len(len)) % 4 == 0);
    keys_one(data + off, len);
    return 0;
}
