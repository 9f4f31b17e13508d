// kernel::crypto_listed: /proc/crypto's "name : NAME" lines, which decide
// whether boot_session loads a crc32c module at all.
#include "test_util.hpp"

#include "../../iscsistart/kernel/sysfs.hpp"

using namespace isr;

static const char PROC_CRYPTO[] = "name         : crc32c\n"
                                  "driver       : crc32c-generic\n"
                                  "module       : crc32c_generic\n"
                                  "priority     : 100\n"
                                  "\n"
                                  "name         : sha256\n"
                                  "driver       : sha256-generic\n"
                                  "module       : kernel\n"
                                  "\n"
                                  "name         : cbc(aes)\n"
                                  "driver       : crc32c-in-a-driver-line\n";

static void names_only(void **)
{
    assert_true(kernel::crypto_listed(PROC_CRYPTO, "crc32c"));
    assert_true(kernel::crypto_listed(PROC_CRYPTO, "sha256"));
    assert_true(kernel::crypto_listed(PROC_CRYPTO, "cbc(aes)"));
    assert_false(kernel::crypto_listed(PROC_CRYPTO, "crc32"));           // not a prefix match
    assert_false(kernel::crypto_listed(PROC_CRYPTO, "crc32c-generic"));  // a driver, not a name
    assert_false(kernel::crypto_listed(PROC_CRYPTO, "crc32c-in-a-driver-line"));
    assert_false(kernel::crypto_listed("", "crc32c"));
    assert_false(kernel::crypto_listed("names        : crc32c\n", "crc32c"));
    assert_true(kernel::crypto_listed("name : crc32c", "crc32c")); // no final newline
}

int main()
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(names_only)};
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
