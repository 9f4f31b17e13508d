// The shared helpers in util/: byte order, MAC text, printable text and
// comma lists, sleep. Expected values are written out as literal bytes and
// strings, not computed with the code under test.
#include "test_util.hpp"

#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "util/mac.hpp"
#include "util/text.hpp"

#include <cstring>
#include <string>
#include <vector>

using namespace isr;

static void big_endian_reads(void **)
{
    const uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0xff};
    assert_int_equal(bytes::get_be16(b), 0x1234);
    assert_int_equal(bytes::get_be24(b), 0x123456);
    assert_int_equal(bytes::get_be32(b), 0x12345678);
    // the top bit must not sign-extend
    const uint8_t hi[] = {0xff, 0xfe, 0xfd, 0xfc};
    assert_int_equal(bytes::get_be16(hi), 0xfffe);
    assert_int_equal(bytes::get_be24(hi), 0xfffefd);
    assert_true(bytes::get_be32(hi) == 0xfffefdfcu);
}

static void big_endian_writes(void **)
{
    uint8_t b[6];
    memset(b, 0xaa, sizeof b);
    bytes::put_be16(b, 0xbeef);
    const uint8_t want16[] = {0xbe, 0xef, 0xaa, 0xaa, 0xaa, 0xaa};
    assert_memory_equal(b, want16, sizeof b);

    memset(b, 0xaa, sizeof b);
    bytes::put_be24(b, 0x99010203); // only the low 24 bits
    const uint8_t want24[] = {0x01, 0x02, 0x03, 0xaa, 0xaa, 0xaa};
    assert_memory_equal(b, want24, sizeof b);

    memset(b, 0xaa, sizeof b);
    bytes::put_be32(b, 0xdeadbeef);
    const uint8_t want32[] = {0xde, 0xad, 0xbe, 0xef, 0xaa, 0xaa};
    assert_memory_equal(b, want32, sizeof b);
}

static void little_endian(void **)
{
    const uint8_t b[] = {0x78, 0x56, 0x34, 0x12};
    assert_int_equal(bytes::get_le16(b), 0x5678);
    assert_int_equal(bytes::get_le32(b), 0x12345678);
    const uint8_t hi[] = {0xfc, 0xfd, 0xfe, 0xff};
    assert_true(bytes::get_le32(hi) == 0xfffefdfcu);

    uint8_t out[5];
    memset(out, 0xaa, sizeof out);
    bytes::put_le16(out, 0x0102);
    const uint8_t want16[] = {0x02, 0x01, 0xaa, 0xaa, 0xaa};
    assert_memory_equal(out, want16, sizeof out);

    memset(out, 0xaa, sizeof out);
    bytes::put_le32(out, 0x01020304);
    const uint8_t want32[] = {0x04, 0x03, 0x02, 0x01, 0xaa};
    assert_memory_equal(out, want32, sizeof out);
}

static void mac_parsing(void **)
{
    const Mac want = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
    auto m = parse_mac("52:54:00:ab:cd:ef");
    assert_true(m && *m == want);
    m = parse_mac("52-54-00-AB-CD-EF"); // '-' and upper case
    assert_true(m && *m == want);
    m = parse_mac("52:54-00:aB:Cd:ef"); // mixed separators and case
    assert_true(m && *m == want);

    assert_false(parse_mac("").has_value());
    assert_false(parse_mac("52:54:00:ab:cd").has_value());      // too short
    assert_false(parse_mac("52:54:00:ab:cd:ef:01").has_value()); // too long
    assert_false(parse_mac("52:54:00:ab:cd:e").has_value());     // 16 characters
    assert_false(parse_mac("52:54:00:ab:cd:eg").has_value());    // bad digit
    assert_false(parse_mac("x2:54:00:ab:cd:ef").has_value());
    assert_false(parse_mac("52.54.00.ab.cd.ef").has_value()); // bad separator
    assert_false(parse_mac("525:4:00:ab:cd:ef").has_value()); // separator misplaced
}

static void mac_formatting(void **)
{
    assert_string_equal(format_mac({0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}).c_str(), "52:54:00:ab:cd:ef");
    assert_string_equal(format_mac({0, 0, 0, 0, 0, 0}).c_str(), "00:00:00:00:00:00");
    assert_string_equal(format_mac({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).c_str(), "ff:ff:ff:ff:ff:ff");
}

static void printable_text(void **)
{
    assert_string_equal(text::printable("iqn.2026-11.org.example:root").c_str(), "iqn.2026-11.org.example:root");
    assert_string_equal(text::printable("").c_str(), "");
    // control bytes, DEL, high bytes and the backslash itself are escaped
    assert_string_equal(text::printable(std::string("a\nb\x1b[0m", 7)).c_str(), "a\\x0ab\\x1b[0m");
    assert_string_equal(text::printable(std::string("\x7f\xff\\", 3)).c_str(), "\\x7f\\xff\\x5c");
    assert_string_equal(text::printable(std::string("\0z", 2)).c_str(), "\\x00z");
    // the cut counts input bytes and is marked
    assert_string_equal(text::printable("abcdefgh", 5).c_str(), "abcde...");
    assert_string_equal(text::printable("abcde", 5).c_str(), "abcde");
    assert_string_equal(text::printable(std::string(70, 'x')).c_str(), (std::string(64, 'x') + "...").c_str());
}

static void comma_lists(void **)
{
    using V = std::vector<std::string>;
    assert_true(text::split_list("a,b,c") == (V{"a", "b", "c"}));
    assert_true(text::split_list("") == (V{""}));
    assert_true(text::split_list("a,,b") == (V{"a", "", "b"}));
    assert_true(text::split_list(",a,") == (V{"", "a", ""}));
    assert_true(text::split_list(",") == (V{"", ""}));
    assert_true(text::split_list("a:b", ':') == (V{"a", "b"}));
    assert_true(text::split_list("a b", ',') == (V{"a b"}));
}

static void sleep_returns_at_once_for_zero_or_less(void **)
{
    long t0 = monotonic_ms();
    sleep_ms(0);
    sleep_ms(-1);
    sleep_ms(-100000);
    assert_true(monotonic_ms() - t0 < 50);
    // a real sleep takes at least its time on the monotonic clock
    t0 = monotonic_ms();
    sleep_ms(20);
    assert_true(monotonic_ms() - t0 >= 20);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(big_endian_reads),
        cmocka_unit_test(big_endian_writes),
        cmocka_unit_test(little_endian),
        cmocka_unit_test(mac_parsing),
        cmocka_unit_test(mac_formatting),
        cmocka_unit_test(printable_text),
        cmocka_unit_test(comma_lists),
        cmocka_unit_test(sleep_returns_at_once_for_zero_or_less),
    };
    return cmocka_run_group_tests_name("helpers", tests, nullptr, nullptr);
}
