// Login Request/Response BHS layout (RFC 7143 11.12, 11.13).
#include "test_util.hpp"

#include "../../iscsistart/login/pdu.hpp"

using namespace isr;

static void encode_first_security_request(void **)
{
    pdu::LoginRequest r;
    r.transit = true;
    r.csg = pdu::SECURITY;
    r.nsg = pdu::OPERATIONAL;
    r.isid = {0x80, 1, 2, 3, 0, 0};
    r.tsih = 0x1234;
    r.itt = 0xa1b2c3d4;
    r.cid = 7;
    r.cmdsn = 1;
    r.exp_statsn = 0x01020304;
    auto b = pdu::encode_login_request(r, 0x012345);
    assert_int_equal(b[0], 0x43);          // I bit + opcode 0x03
    assert_int_equal(b[1], 0x80 | 0x01);   // T, CSG 0, NSG 1
    assert_int_equal(b[2], 0);             // Version-max
    assert_int_equal(b[3], 0);             // Version-min
    assert_int_equal(b[4], 0);             // TotalAHSLength
    assert_int_equal(b[5], 0x01);
    assert_int_equal(b[6], 0x23);
    assert_int_equal(b[7], 0x45);
    assert_int_equal(b[8], 0x80);
    assert_int_equal(b[11], 3);
    assert_int_equal(b[14], 0x12);
    assert_int_equal(b[15], 0x34);
    assert_int_equal(b[16], 0xa1);
    assert_int_equal(b[19], 0xd4);
    assert_int_equal(b[21], 7);
    assert_int_equal(b[27], 1);
    assert_int_equal(b[28], 1);
    assert_int_equal(b[31], 4);
    for (int i = 32; i < 48; ++i)
        assert_int_equal(b[i], 0);
}

// Every byte of a Login Request, against RFC 7143 11.12 as drawn there:
// each field carries a distinct value, so a field at the wrong offset, of
// the wrong width or in the wrong byte order shows up. Offsets and values
// are written literally, not through pdu.hpp's layout.
static void login_request_byte_by_byte(void **)
{
    pdu::LoginRequest r;
    r.transit = true;
    r.csg = pdu::OPERATIONAL;
    r.nsg = pdu::FULL_FEATURE;
    r.isid = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86};
    r.tsih = 0x9192;
    r.itt = 0xa1a2a3a4;
    r.cid = 0xb1b2;
    r.cmdsn = 0xc1c2c3c4;
    r.exp_statsn = 0xd1d2d3d4;
    auto b = pdu::encode_login_request(r, 0xe1e2e3);
    const uint8_t want[48] = {
        0x43,                               // 0: I bit, opcode 0x03
        0x87,                               // 1: T, C=0, CSG=1, NSG=3
        0x00, 0x00,                         // 2: Version-max, 3: Version-min
        0x00,                               // 4: TotalAHSLength
        0xe1, 0xe2, 0xe3,                   // 5-7: DataSegmentLength
        0x81, 0x82, 0x83, 0x84, 0x85, 0x86, // 8-13: ISID
        0x91, 0x92,                         // 14-15: TSIH
        0xa1, 0xa2, 0xa3, 0xa4,             // 16-19: Initiator Task Tag
        0xb1, 0xb2,                         // 20-21: CID
        0x00, 0x00,                         // 22-23: reserved
        0xc1, 0xc2, 0xc3, 0xc4,             // 24-27: CmdSN
        0xd1, 0xd2, 0xd3, 0xd4,             // 28-31: ExpStatSN
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 32-47: reserved
    };
    for (int i = 0; i < 48; ++i) {
        if (b[i] != want[i])
            print_error("byte %d: 0x%02x, want 0x%02x\n", i, b[i], want[i]);
        assert_int_equal(b[i], want[i]);
    }

    // C without T (a continued request) and CSG 0.
    r.transit = false;
    r.cont = true;
    r.csg = pdu::SECURITY;
    b = pdu::encode_login_request(r, 0);
    assert_int_equal(b[1], 0x40);
    assert_int_equal(b[5] | b[6] | b[7], 0);
}

// Every field of a Login Response read from its RFC 7143 11.13 offset,
// each with a distinct value; reserved bytes set to junk must not leak in.
static void login_response_byte_by_byte(void **)
{
    const uint8_t b[48] = {
        0x23,                               // 0: opcode 0x23
        0x47,                               // 1: T=0, C=1, CSG=1, NSG=3
        0x12, 0x34,                         // 2: Version-max, 3: Version-active
        0x05,                               // 4: TotalAHSLength
        0xe1, 0xe2, 0xe3,                   // 5-7: DataSegmentLength
        0x81, 0x82, 0x83, 0x84, 0x85, 0x86, // 8-13: ISID
        0x91, 0x92,                         // 14-15: TSIH
        0xa1, 0xa2, 0xa3, 0xa4,             // 16-19: Initiator Task Tag
        0xff, 0xff, 0xff, 0xff,             // 20-23: reserved
        0xb1, 0xb2, 0xb3, 0xb4,             // 24-27: StatSN
        0xc1, 0xc2, 0xc3, 0xc4,             // 28-31: ExpCmdSN
        0xd1, 0xd2, 0xd3, 0xd4,             // 32-35: MaxCmdSN
        0x03, 0x02,                         // 36: Status-Class, 37: Status-Detail
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // 38-47: reserved
    };
    auto r = pdu::decode_login_response(b);
    assert_false(r.transit);
    assert_true(r.cont);
    assert_int_equal(r.csg, 1);
    assert_int_equal(r.nsg, 3);
    assert_int_equal(r.version_max, 0x12);
    assert_int_equal(r.version_active, 0x34);
    assert_int_equal(r.ahs_len, 5);
    assert_int_equal(r.data_len, 0xe1e2e3);
    assert_memory_equal(r.isid.data(), b + 8, 6);
    assert_int_equal(r.tsih, 0x9192);
    assert_int_equal(r.itt, 0xa1a2a3a4);
    assert_int_equal(r.statsn, 0xb1b2b3b4);
    assert_int_equal(r.exp_cmdsn, 0xc1c2c3c4);
    assert_int_equal(r.max_cmdsn, 0xd1d2d3d4);
    assert_int_equal(r.status_class, 3);
    assert_int_equal(r.status_detail, 2);
    assert_int_equal(pdu::data_segment_length(b), 0xe1e2e3);
    assert_int_equal(pdu::total_ahs_length(b), 5);
}

// The target-side codec (scripted targets): a request encoded by the
// initiator's encoder decodes to the same fields, and a response encoded
// for the target decodes byte for byte as login_response_byte_by_byte's.
static void target_side_round_trip(void **)
{
    pdu::LoginRequest r;
    r.transit = true;
    r.csg = pdu::OPERATIONAL;
    r.nsg = pdu::FULL_FEATURE;
    r.isid = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86};
    r.tsih = 0x9192;
    r.itt = 0xa1a2a3a4;
    r.cid = 0xb1b2;
    r.cmdsn = 0xc1c2c3c4;
    r.exp_statsn = 0xd1d2d3d4;
    auto b = pdu::encode_login_request(r, 17);
    auto d = pdu::decode_login_request(b.data());
    assert_true(d.transit);
    assert_false(d.cont);
    assert_int_equal(d.csg, 1);
    assert_int_equal(d.nsg, 3);
    assert_memory_equal(d.isid.data(), r.isid.data(), 6);
    assert_int_equal(d.tsih, 0x9192);
    assert_int_equal(d.itt, 0xa1a2a3a4);
    assert_int_equal(d.cid, 0xb1b2);
    assert_int_equal(d.cmdsn, 0xc1c2c3c4);
    assert_int_equal(d.exp_statsn, 0xd1d2d3d4);
    assert_int_equal(pdu::data_segment_length(b.data()), 17);
    b[1] = 0x07; // no T: NSG is not read
    assert_int_equal(pdu::decode_login_request(b.data()).nsg, 0);
    b[0] = 0x23;
    EXPECT_ERROR(pdu::decode_login_request(b.data()), ISCSI_ERR_LOGIN, "expected a Login Request PDU, got opcode 0x23");

    pdu::LoginResponse s;
    s.transit = false;
    s.cont = true;
    s.csg = 1;
    s.nsg = 3; // not written without T
    s.version_max = 0x12;
    s.version_active = 0x34;
    s.ahs_len = 5;
    s.data_len = 0xe1e2e3;
    s.isid = {0x81, 0x82, 0x83, 0x84, 0x85, 0x86};
    s.tsih = 0x9192;
    s.itt = 0xa1a2a3a4;
    s.statsn = 0xb1b2b3b4;
    s.exp_cmdsn = 0xc1c2c3c4;
    s.max_cmdsn = 0xd1d2d3d4;
    s.status_class = 3;
    s.status_detail = 2;
    auto e = pdu::encode_login_response(s);
    const uint8_t want[48] = {0x23, 0x44, 0x12, 0x34, 0x05, 0xe1, 0xe2, 0xe3, 0x81, 0x82, 0x83, 0x84,
                              0x85, 0x86, 0x91, 0x92, 0xa1, 0xa2, 0xa3, 0xa4, 0,    0,    0,    0,
                              0xb1, 0xb2, 0xb3, 0xb4, 0xc1, 0xc2, 0xc3, 0xc4, 0xd1, 0xd2, 0xd3, 0xd4,
                              0x03, 0x02, 0,    0,    0,    0,    0,    0,    0,    0,    0,    0};
    for (int i = 0; i < 48; ++i) {
        if (e[i] != want[i])
            print_error("byte %d: 0x%02x, want 0x%02x\n", i, e[i], want[i]);
        assert_int_equal(e[i], want[i]);
    }
    s.transit = true;
    s.cont = false;
    assert_int_equal(pdu::encode_login_response(s)[1], 0x87);
}

static void nsg_only_with_transit(void **)
{
    pdu::LoginRequest r;
    r.csg = pdu::OPERATIONAL;
    r.nsg = pdu::FULL_FEATURE;
    r.transit = false;
    auto b = pdu::encode_login_request(r, 0);
    assert_int_equal(b[1], 0x04); // CSG 1, no T, NSG field 0
    r.transit = true;
    b = pdu::encode_login_request(r, 0);
    assert_int_equal(b[1], 0x87);
}

static std::array<uint8_t, 48> response_bhs()
{
    std::array<uint8_t, 48> b{};
    b[0] = 0x23;
    b[1] = 0x80 | (1 << 2) | 3; // T, CSG 1, NSG 3
    b[3] = 0;
    b[5] = 0;
    b[6] = 0x01;
    b[7] = 0x02; // DSL 258
    b[8] = 0x80;
    b[13] = 9;
    b[14] = 0x02;
    b[15] = 0x00; // TSIH 512
    b[19] = 5;    // ITT
    b[27] = 42;   // StatSN
    b[31] = 2;    // ExpCmdSN
    b[35] = 33;   // MaxCmdSN
    b[36] = 2;
    b[37] = 1;
    return b;
}

static void decode_response(void **)
{
    auto b = response_bhs();
    auto r = pdu::decode_login_response(b.data());
    assert_true(r.transit);
    assert_false(r.cont);
    assert_int_equal(r.csg, 1);
    assert_int_equal(r.nsg, 3);
    assert_int_equal(r.data_len, 258);
    assert_int_equal(r.isid[0], 0x80);
    assert_int_equal(r.isid[5], 9);
    assert_int_equal(r.tsih, 512);
    assert_int_equal(r.itt, 5);
    assert_int_equal(r.statsn, 42);
    assert_int_equal(r.exp_cmdsn, 2);
    assert_int_equal(r.max_cmdsn, 33);
    assert_int_equal(r.status_class, 2);
    assert_int_equal(r.status_detail, 1);
}

static void decode_rejects_other_opcodes(void **)
{
    auto b = response_bhs();
    b[0] = 0x3f; // Reject
    b[2] = 0x04;
    EXPECT_ERROR(pdu::decode_login_response(b.data()), ISCSI_ERR_LOGIN, "Reject PDU (reason 0x04)");
    b[0] = 0x21; // SCSI Response
    EXPECT_ERROR(pdu::decode_login_response(b.data()), ISCSI_ERR_LOGIN, "opcode 0x21");
}

static void padding_and_lengths(void **)
{
    assert_int_equal(pdu::pad_len(0), 0);
    assert_int_equal(pdu::pad_len(1), 3);
    assert_int_equal(pdu::pad_len(4), 0);
    assert_int_equal(pdu::pad_len(258), 2);
    uint8_t b[48] = {};
    b[4] = 3;
    b[5] = 0xff;
    b[6] = 0xff;
    b[7] = 0xff;
    assert_int_equal(pdu::data_segment_length(b), 0xffffff);
    assert_int_equal(pdu::total_ahs_length(b), 3);
}

static void isid_and_status_text(void **)
{
    assert_string_equal(pdu::isid_hex({0x80, 0xab, 0x01, 0x02, 0, 0x0f}).c_str(), "80ab0102000f");
    assert_string_equal(pdu::status_text(2, 1).c_str(), "authentication failure");
    assert_string_equal(pdu::status_text(1, 1).c_str(), "target moved temporarily");
    assert_string_equal(pdu::status_text(3, 1).c_str(), "service unavailable");
    assert_string_equal(pdu::status_text(9, 9).c_str(), "status class 9 detail 9");
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(encode_first_security_request), cmocka_unit_test(nsg_only_with_transit),
        cmocka_unit_test(decode_response),               cmocka_unit_test(decode_rejects_other_opcodes),
        cmocka_unit_test(padding_and_lengths),           cmocka_unit_test(isid_and_status_text),
        cmocka_unit_test(login_request_byte_by_byte),    cmocka_unit_test(login_response_byte_by_byte),
        cmocka_unit_test(target_side_round_trip),
    };
    return cmocka_run_group_tests_name("pdu", tests, nullptr, nullptr);
}
