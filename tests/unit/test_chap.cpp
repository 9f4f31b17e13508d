// CHAP responses against known answers (computed independently with
// Python's hashlib), value coding, algorithm lists.
#include "test_util.hpp"

#include "../../iscsistart/login/chap.hpp"
#include "crypto/crypto.hpp"
#include "fixtures/chap_known_answers.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#ifndef AF_ALG
#define AF_ALG 38
#endif

using namespace isr;

static chap::Bytes seq16()
{
    chap::Bytes b;
    for (int i = 0; i < 16; ++i)
        b.push_back((uint8_t)i);
    return b;
}

// Skips (this binary is test_chap_kernel, the host has no AF_ALG) when the
// backend cannot compute any of the four: the static build's guest test
// (tests/tools/crypto_kat.cpp) checks that backend instead.
static void known_answers(void **)
{
    int missing = 0;
    {   // skip() longjmps: no std::string may be alive then
        std::string why;
        for (int alg : {5, 6, 7, 8})
            if (!crypto::hash_available(alg, &why))
                ++missing;
        if (missing == 4)
            print_message("skipped: the %s backend has no hashes here: %s\n", crypto::backend_name(), why.c_str());
    }
    if (missing == 4)
        skip();
    assert_int_equal(missing, 0);
    for (const auto &ka : test::CHAP_KNOWN_ANSWERS) {
        auto challenge = chap::decode_binary(ka.challenge);
        assert_true(challenge.has_value());
        auto r = chap::response(ka.chap_a, ka.id, Secret(ka.secret), *challenge);
        assert_int_equal(r.size(), chap::digest_size(ka.chap_a));
        assert_string_equal(chap::encode_hex(r).c_str(), ka.response);
    }
    // several parts hash like their concatenation
    const uint8_t ab[] = {'a', 'b'}, a[] = {'a'}, b[] = {'b'};
    assert_true(crypto::hash(7, {ab}) == crypto::hash(7, {a, {}, b}));
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
    // RFC 4648 section 10 test vectors, and padding only at the end
    auto b64 = [](const char *s) {
        auto d = chap::decode_binary(std::string("0b") + s);
        return d ? std::string(d->begin(), d->end()) : std::string("<none>");
    };
    assert_string_equal(b64("Zg==").c_str(), "f");
    assert_string_equal(b64("Zm8=").c_str(), "fo");
    assert_string_equal(b64("Zm9v").c_str(), "foo");
    assert_string_equal(b64("Zm9vYg==").c_str(), "foob");
    assert_string_equal(b64("Zm9vYmE=").c_str(), "fooba");
    assert_string_equal(b64("Zm9vYmFy").c_str(), "foobar");
    assert_string_equal(b64("+/+/").c_str(), "\xfb\xff\xbf");
    assert_string_equal(b64("Zg==Zm9v").c_str(), "<none>");
    assert_string_equal(b64("Z===").c_str(), "<none>");
    assert_string_equal(b64("Zm9*").c_str(), "<none>");
    assert_string_equal(b64("====").c_str(), "<none>");
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

// An algorithm the backend lacks is left out of the offer; none left is
// an authentication error naming the setting.
static void usable_algorithm_lists(void **)
{
    std::vector<int> want;
    for (int a : {8, 7, 5})
        if (crypto::hash_available(a))
            want.push_back(a);
    if (want.empty()) {
        EXPECT_ERROR(chap::usable_algorithms({8, 7, 5}), ISCSI_ERR_LOGIN_AUTH_FAILED,
                     "node.session.auth.chap_algs");
        return;
    }
    assert_true(chap::usable_algorithms({8, 7, 5}) == want);
    EXPECT_ERROR(chap::usable_algorithms({9}), ISCSI_ERR_LOGIN_AUTH_FAILED, "none of the configured algorithms (9)");
}

// Kernel backend on a host without AF_ALG (this build host): the loader is
// asked for algif_hash once, whatever the number of hashes probed, and the
// reason names the module and the socket's error, not the loader's.
static std::vector<std::string> loads;
static bool record_load(const std::string &m, std::string *why)
{
    loads.push_back(m);
    errno = ENOENT; // what a failed modprobe may leave behind
    *why = "modprobe: module algif_hash not found";
    return false;
}

static void kernel_backend_without_af_alg(void **)
{
    if (std::string(crypto::backend_name()) == "OpenSSL") {
        print_message("skipped: OpenSSL backend\n");
        skip();
    }
    int fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
    if (fd >= 0) {
        close(fd);
        print_message("skipped: this host has AF_ALG (known_answers covers it)\n");
        skip();
    }
    crypto::set_module_loader(record_load);
    std::string why;
    for (int alg : {5, 6, 7, 8})
        assert_false(crypto::hash_available(alg, &why));
    crypto::set_module_loader(nullptr);
    assert_int_equal(loads.size(), 1);
    assert_string_equal(loads[0].c_str(), "algif_hash");
    assert_non_null(strstr(why.c_str(), "SHA3-256: no AF_ALG hash sockets"));
    assert_non_null(strstr(why.c_str(), "algif_hash"));
    assert_non_null(strstr(why.c_str(), strerror(EAFNOSUPPORT)));
    assert_non_null(strstr(why.c_str(), "(loading algif_hash: modprobe: module algif_hash not found)"));
    EXPECT_ERROR(chap::usable_algorithms({5, 7}), ISCSI_ERR_LOGIN_AUTH_FAILED, "kernel (AF_ALG) crypto");
}

static void constant_time_compare(void **)
{
    assert_true(chap::equal_ct({1, 2, 3}, {1, 2, 3}));
    assert_false(chap::equal_ct({1, 2, 3}, {1, 2, 4}));
    assert_false(chap::equal_ct({1, 2, 3}, {1, 2}));
    assert_true(chap::equal_ct({}, {}));
    for (int i = 0; i < 3; ++i) { // a difference in any byte counts
        chap::Bytes x{7, 7, 7};
        x[i] ^= 0x80;
        assert_false(chap::equal_ct(x, {7, 7, 7}));
    }
}

static void random_bytes_differ(void **)
{
    auto a = crypto::random_bytes(16), b = crypto::random_bytes(16);
    assert_int_equal(a.size(), 16);
    assert_false(a == b);
}

int main()
{
    const std::string group = std::string("chap, ") + crypto::backend_name();
    const CMUnitTest tests[] = {
        // first: the kernel backend probes once per process
        cmocka_unit_test(kernel_backend_without_af_alg),
        cmocka_unit_test(known_answers),   cmocka_unit_test(unknown_algorithm),
        cmocka_unit_test(decode_hex_and_base64), cmocka_unit_test(algorithm_lists),
        cmocka_unit_test(constant_time_compare), cmocka_unit_test(random_bytes_differ),
        cmocka_unit_test(algorithm_table_lookups), cmocka_unit_test(usable_algorithm_lists),
    };
    return cmocka_run_group_tests_name(group.c_str(), tests, nullptr, nullptr);
}
