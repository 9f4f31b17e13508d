// Text key=value parsing (RFC 7143 section 6), including malformed input.
#include "test_util.hpp"

#include "../../iscsistart/login/text_keys.hpp"

#include <vector>

using namespace isr;

static text::KeyList parse_str(const std::string &s)
{
    return text::parse(reinterpret_cast<const uint8_t *>(s.data()), s.size());
}

static void parses_pairs_in_order(void **)
{
    std::string s("AuthMethod=CHAP\0TargetPortalGroupTag=1\0TargetAlias=\0", 52);
    auto k = parse_str(s);
    assert_int_equal(k.size(), 3);
    assert_string_equal(k[0].first.c_str(), "AuthMethod");
    assert_string_equal(k[0].second.c_str(), "CHAP");
    assert_string_equal(k[1].second.c_str(), "1");
    assert_string_equal(k[2].second.c_str(), ""); // empty value is allowed
    assert_non_null(text::find(k, "TargetAlias"));
    assert_null(text::find(k, "Nope"));
}

static void value_may_contain_equals_and_padding_is_ignored(void **)
{
    std::string s("X-vendor=a=b\0\0\0\0", 16);
    auto k = parse_str(s);
    assert_int_equal(k.size(), 1);
    assert_string_equal(k[0].second.c_str(), "a=b");
}

static void final_pair_without_nul_is_accepted(void **)
{
    std::string s("A=1\0B=2", 7);
    auto k = parse_str(s);
    assert_int_equal(k.size(), 2);
    assert_string_equal(k[1].second.c_str(), "2");
}

static void truncated_segment_fails_cleanly(void **)
{
    // A segment cut inside a key, as a truncated PDU would leave it.
    std::string s("AuthMethod=CHAP\0TargetPor", 25);
    EXPECT_ERROR(parse_str(s), ISCSI_ERR_LOGIN, "without '='");
}

static void malformed_entries(void **)
{
    EXPECT_ERROR(parse_str(std::string("=x\0", 3)), ISCSI_ERR_LOGIN, "empty key");
    EXPECT_ERROR(parse_str(std::string("Bad Key=x\0", 10)), ISCSI_ERR_LOGIN, "invalid character");
    EXPECT_ERROR(parse_str(std::string(64, 'K') + "=v"), ISCSI_ERR_LOGIN, "longer than 63");
    EXPECT_ERROR(parse_str("K=" + std::string(8193, 'v')), ISCSI_ERR_LOGIN, "longer than 8192");
    EXPECT_ERROR(parse_str(std::string("A=1\0A=2\0", 8)), ISCSI_ERR_LOGIN, "given twice");
}

// Public extension keys are spelled "X#name" (RFC 7143 13, e.g. RFC 4850's
// X#NodeArchitecture): '#' is allowed there and only there.
static void public_extension_keys(void **)
{
    auto k = parse_str(std::string("X#NodeArchitecture=LIO,1\0X-com.example.k=1\0", 44));
    assert_int_equal(k.size(), 2);
    assert_string_equal(k[0].first.c_str(), "X#NodeArchitecture");
    assert_string_equal(k[0].second.c_str(), "LIO,1");
    assert_string_equal(k[1].first.c_str(), "X-com.example.k");
    EXPECT_ERROR(parse_str("A#b=1"), ISCSI_ERR_LOGIN, "invalid character in key name 'A#b'");
    EXPECT_ERROR(parse_str("X##=1"), ISCSI_ERR_LOGIN, "invalid character");
    EXPECT_ERROR(parse_str("#X=1"), ISCSI_ERR_LOGIN, "invalid character");
}

static void oversized_but_legal_value(void **)
{
    auto k = parse_str("CHAP_C=0x" + std::string(8190, 'a'));
    assert_int_equal(k[0].second.size(), 8192);
}

static void empty_segment(void **)
{
    assert_int_equal(text::parse(nullptr, 0).size(), 0);
}

static void encode_and_mask(void **)
{
    std::vector<uint8_t> out;
    text::append(out, "CHAP_N", "alice");
    text::append(out, "CHAP_R", "0x00");
    std::string s(out.begin(), out.end());
    assert_true(s == std::string("CHAP_N=alice\0CHAP_R=0x00\0", 25));
    auto k = text::parse(out.data(), out.size());
    std::string d = text::describe(k);
    assert_string_equal(d.c_str(), "CHAP_N=alice CHAP_R=***");
    assert_true(text::is_sensitive("CHAP_C"));
    assert_false(text::is_sensitive("CHAP_N"));
}

// Target text reaches logs only through printable(): control and
// non-ASCII bytes (terminal escapes, broken UTF-8) as \xNN, cut at `max`.
static void printable_escapes_and_cuts(void **)
{
    assert_string_equal(text::printable("None").c_str(), "None");
    assert_string_equal(text::printable(std::string("a\x1b[2J\xff\0b\\", 9)).c_str(), "a\\x1b[2J\\xff\\x00b\\x5c");
    assert_string_equal(text::printable("abcdef", 3).c_str(), "abc...");
    EXPECT_ERROR(parse_str("Auth\xff\x1bMethod=None"), ISCSI_ERR_LOGIN, "key name 'Auth\\xff\\x1bMethod'");
    EXPECT_ERROR(parse_str("No\x07" "Equals"), ISCSI_ERR_LOGIN, "without '=' (No\\x07Equals)");
    text::KeyList k = {{"TargetAlias", "\x1b]0;x\x07"}};
    assert_string_equal(text::describe(k).c_str(), "TargetAlias=\\x1b]0;x\\x07");
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(parses_pairs_in_order),
        cmocka_unit_test(value_may_contain_equals_and_padding_is_ignored),
        cmocka_unit_test(final_pair_without_nul_is_accepted),
        cmocka_unit_test(truncated_segment_fails_cleanly),
        cmocka_unit_test(malformed_entries),
        cmocka_unit_test(oversized_but_legal_value),
        cmocka_unit_test(public_extension_keys),
        cmocka_unit_test(empty_segment),
        cmocka_unit_test(encode_and_mask),
        cmocka_unit_test(printable_escapes_and_cuts),
    };
    return cmocka_run_group_tests_name("text_keys", tests, nullptr, nullptr);
}
