// CHAP responses against known answers (computed independently with
// Python's hashlib), value coding, algorithm lists.
#include "test_util.hpp"

#include "../../iscsistart/login/chap.hpp"
#include "util/random.hpp"

#include <openssl/evp.h>

#include <vector>

using namespace isr;

struct KnownAnswer {
    int alg;
    uint8_t id;
    const char *secret;
    chap::Bytes challenge;
    const char *response;
};

static chap::Bytes seq16()
{
    chap::Bytes b;
    for (int i = 0; i < 16; ++i)
        b.push_back((uint8_t)i);
    return b;
}

static chap::Bytes deadbeef32()
{
    chap::Bytes b;
    for (int i = 0; i < 8; ++i)
        b.insert(b.end(), {0xde, 0xad, 0xbe, 0xef});
    return b;
}

static const std::vector<KnownAnswer> &answers()
{
    static const std::vector<KnownAnswer> a = {
        {chap::MD5, 0x01, "alicesecret123", seq16(), "0x4b72725ad71b5c4cdcd0c700c1a0d4af"},
        {chap::MD5, 0xff, "s3cr3t-with-more-bytes", deadbeef32(), "0x6a382588a47321b6fbb6c46a112eb491"},
        {chap::MD5, 0x00, "x", {0x00}, "0x4b6cc886dd1a4948e37896ecc6e549e3"},
        {chap::SHA1, 0x01, "alicesecret123", seq16(), "0xeb744fdde128ed83570a68ec7c721628ebdb4e26"},
        {chap::SHA1, 0xff, "s3cr3t-with-more-bytes", deadbeef32(), "0x3c1131683ee2a48c6ee4e5741c43692324fb7fee"},
        {chap::SHA256, 0x01, "alicesecret123", seq16(),
         "0x2616ff1139c165244ef5d39b6617f89ca7f0726e53182376a004d805206d2d9c"},
        {chap::SHA256, 0x00, "x", {0x00}, "0x0561374e75d21135ef4df8565a9e09c93257944df311c37bd6c2a6e9f6fbf0ad"},
        {chap::SHA3_256, 0x01, "alicesecret123", seq16(),
         "0xe5dd902b8bf25558faba2c0c5e8f81af3b32d5b6fd6f22d30abc58d6ccea6774"},
        {chap::SHA3_256, 0xff, "s3cr3t-with-more-bytes", deadbeef32(),
         "0x41706737e1bd7143b7585614692b14b83790cea572f5f69ddc6bb11abdaa7c49"},
    };
    return a;
}

static void known_answers(void **)
{
    for (const auto &ka : answers()) {
        auto r = chap::response(ka.alg, ka.id, Secret(ka.secret), ka.challenge);
        assert_int_equal(r.size(), chap::digest_size(ka.alg));
        assert_string_equal(chap::encode_hex(r).c_str(), ka.response);
    }
}

static void unknown_algorithm(void **)
{
    EXPECT_ERROR(chap::response(9, 1, Secret("s"), {1}), ISCSI_ERR_LOGIN_AUTH_FAILED, "unsupported algorithm 9");
    assert_int_equal(chap::digest_size(9), 0);
}

static void decode_hex_and_base64(void **)
{
    auto h = chap::decode_binary("0x00ff10");
    assert_true(h.has_value());
    assert_int_equal(h->size(), 3);
    assert_int_equal((*h)[1], 0xff);
    auto odd = chap::decode_binary("0XABC"); // odd digit count: leading nibble
    assert_true(odd && odd->size() == 2 && (*odd)[0] == 0x0a && (*odd)[1] == 0xbc);
    auto b = chap::decode_binary("0bAAECAwQFBgcICQoLDA0ODw==");
    assert_true(b.has_value());
    assert_true(*b == seq16());
    assert_false(chap::decode_binary("0x").has_value());
    assert_false(chap::decode_binary("0xzz").has_value());
    assert_false(chap::decode_binary("1234").has_value());
    assert_false(chap::decode_binary("0bAAE").has_value());
    assert_false(chap::decode_binary("").has_value());
}

static void algorithm_lists(void **)
{
    auto l = chap::parse_algorithm_list("SHA3-256, sha256,SHA1,MD5");
    assert_int_equal(l.size(), 4);
    assert_int_equal(l[0], 8);
    assert_int_equal(l[1], 7);
    assert_int_equal(l[2], 6);
    assert_int_equal(l[3], 5);
    assert_string_equal(chap::algorithm_offer(l).c_str(), "8,7,6,5");
    EXPECT_ERROR(chap::parse_algorithm_list("MD4"), ISCSI_ERR_INVAL, "unknown algorithm 'MD4'");
    EXPECT_ERROR(chap::parse_algorithm_list("MD5,md5"), ISCSI_ERR_INVAL, "listed twice");
    EXPECT_ERROR(chap::parse_algorithm_list(""), ISCSI_ERR_INVAL, "unknown algorithm ''");
}

// The algorithm table: numbers and sizes stated literally here (IANA PPP
// registry and the hash standards), names as configuration spells them.
static void algorithm_table_lookups(void **)
{
    struct Row {
        const char *name;
        int number;
        std::size_t size;
    } rows[] = {{"MD5", 5, 16}, {"SHA1", 6, 20}, {"SHA256", 7, 32}, {"SHA3-256", 8, 32}};
    for (const auto &r : rows) {
        const chap::AlgorithmInfo *by_name = chap::find_algorithm(std::string_view(r.name));
        const chap::AlgorithmInfo *by_number = chap::find_algorithm(r.number);
        assert_non_null(by_name);
        assert_ptr_equal(by_name, by_number);
        assert_int_equal(by_name->chap_a, r.number);
        assert_int_equal(by_name->digest_size, r.size);
        assert_int_equal(chap::digest_size(r.number), r.size);
        assert_string_equal(chap::algorithm_name(r.number), r.name);
        // The backend name resolves, and its size is the table's.
        const EVP_MD *md = EVP_get_digestbyname(by_name->evp_name);
        assert_non_null(md);
        assert_int_equal(EVP_MD_get_size(md), r.size);
    }
    assert_int_equal(chap::find_algorithm(std::string_view("sha-256"))->chap_a, 7);
    assert_int_equal(chap::find_algorithm(std::string_view("Sha-1"))->chap_a, 6);
    assert_int_equal(chap::find_algorithm(std::string_view("sha3_256"))->chap_a, 8);
    assert_int_equal(chap::find_algorithm(std::string_view("md5"))->chap_a, 5);
    assert_null(chap::find_algorithm(std::string_view("MD4")));
    assert_null(chap::find_algorithm(std::string_view("")));
    assert_null(chap::find_algorithm(std::string_view("SHA3-2560")));
    for (int n : {0, 4, 9, 128, -1})
        assert_null(chap::find_algorithm(n));
    assert_string_equal(chap::algorithm_name(9), "unknown");
}

static void constant_time_compare(void **)
{
    assert_true(chap::equal_ct({1, 2, 3}, {1, 2, 3}));
    assert_false(chap::equal_ct({1, 2, 3}, {1, 2, 4}));
    assert_false(chap::equal_ct({1, 2, 3}, {1, 2}));
}

static void random_bytes_differ(void **)
{
    auto a = random_bytes(16), b = random_bytes(16);
    assert_int_equal(a.size(), 16);
    assert_false(a == b);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),   cmocka_unit_test(unknown_algorithm),
        cmocka_unit_test(decode_hex_and_base64), cmocka_unit_test(algorithm_lists),
        cmocka_unit_test(constant_time_compare), cmocka_unit_test(random_bytes_differ),
        cmocka_unit_test(algorithm_table_lookups),
    };
    return cmocka_run_group_tests_name("chap", tests, nullptr, nullptr);
}
