// crypto::unique_bytes (never blocks: getrandom(GRND_INSECURE), else
// /dev/urandom) with the getrandom call and the fallback file injected,
// random_would_block's probe, and the ISID random_isid makes from it
// (RFC 7143 11.12.5).
#include "test_util.hpp"

#include "../../iscsistart/login/client.hpp"
#include "crypto/crypto.hpp"
#include "crypto/unique.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <sys/random.h>
#include <unistd.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

using namespace isr;
using crypto::detail::fill_unique;
using crypto::detail::would_block;

namespace {

unsigned g_flags;  // the flags of the last fake call
int g_calls;
int g_errno;       // what the fake fails with (0: succeeds)
std::size_t g_max; // most bytes per call (short reads)

ssize_t fake_getrandom(void *buf, std::size_t len, unsigned flags)
{
    g_flags = flags;
    ++g_calls;
    if (g_errno) {
        errno = g_errno;
        return -1;
    }
    std::size_t n = len < g_max ? len : g_max;
    std::memset(buf, 0xab, n);
    return (ssize_t)n;
}

void reset(int err, std::size_t max = 1 << 20)
{
    g_flags = 0, g_calls = 0, g_errno = err, g_max = max;
}

std::string temp_file(const std::string &content)
{
    char path[] = "/tmp/test_unique.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content.data(), content.size()), (ssize_t)content.size());
    close(fd);
    return path;
}

} // namespace

static void insecure_flag_and_short_reads(void **)
{
    reset(0, 3);
    uint8_t out[8] = {};
    fill_unique(out, sizeof out, fake_getrandom, "/nonexistent");
    assert_int_equal(g_flags, GRND_INSECURE);
    assert_int_equal(g_calls, 3); // 3 + 3 + 2 bytes
    for (uint8_t b : out)
        assert_int_equal(b, 0xab);
}

static void falls_back_to_file_on_einval(void **)
{
    std::string f = temp_file("0123456789");
    for (int err : {EINVAL, ENOSYS}) {
        reset(err);
        uint8_t out[6] = {};
        fill_unique(out, sizeof out, fake_getrandom, f.c_str());
        assert_memory_equal(out, "012345", 6);
    }
    unlink(f.c_str());
}

static void fallback_failures_name_the_file(void **)
{
    reset(EINVAL);
    uint8_t out[4];
    EXPECT_ERROR(fill_unique(out, sizeof out, fake_getrandom, "/nonexistent/urandom"), ISCSI_ERR_INTERNAL,
                 "cannot open /nonexistent/urandom");
    std::string f = temp_file("ab"); // shorter than asked
    EXPECT_ERROR(fill_unique(out, sizeof out, fake_getrandom, f.c_str()), ISCSI_ERR_INTERNAL, "end of file");
    unlink(f.c_str());
}

static void other_errors_are_not_hidden(void **)
{
    reset(EFAULT);
    uint8_t out[4];
    EXPECT_ERROR(fill_unique(out, sizeof out, fake_getrandom, "/dev/urandom"), ISCSI_ERR_INTERNAL,
                 "getrandom(GRND_INSECURE) failed");
}

static void probe_uses_nonblock(void **)
{
    reset(EAGAIN);
    assert_true(would_block(fake_getrandom));
    assert_int_equal(g_flags, GRND_NONBLOCK);
    reset(0);
    assert_false(would_block(fake_getrandom));
    reset(ENOSYS); // no getrandom at all: say nothing
    assert_false(would_block(fake_getrandom));
}

static void real_bytes_differ(void **)
{
    auto a = crypto::unique_bytes(16), b = crypto::unique_bytes(16);
    assert_int_equal(a.size(), 16);
    assert_true(a != b);
    assert_int_equal(crypto::unique_bytes(0).size(), 0);
}

// RFC 7143 11.12.5: T (2 bits) 10b = Random, A (6 bits) reserved 0, B
// (16 bits) and C (8 bits) random, D (16 bits) the qualifier, 0 for us.
static void isid_format(void **)
{
    std::set<pdu::Isid> seen;
    for (int i = 0; i < 8; ++i) {
        pdu::Isid isid = random_isid();
        assert_int_equal(isid[0] >> 6, 2);   // T = 10b
        assert_int_equal(isid[0] & 0x3f, 0); // A
        assert_int_equal(isid[4], 0);        // D
        assert_int_equal(isid[5], 0);
        seen.insert(isid);
    }
    assert_true(seen.size() > 1); // 24 random bits: 8 equal draws would be a broken source
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(insecure_flag_and_short_reads), cmocka_unit_test(falls_back_to_file_on_einval),
        cmocka_unit_test(fallback_failures_name_the_file), cmocka_unit_test(other_errors_are_not_hidden),
        cmocka_unit_test(probe_uses_nonblock), cmocka_unit_test(real_bytes_differ),
        cmocka_unit_test(isid_format),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
