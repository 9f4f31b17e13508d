// Secrets in memory: wipe() clears a string's whole buffer, Secret and
// SensitiveString leave no readable copy behind when moved or assigned.
#include "test_util.hpp"

#include "util/secret.hpp"

#include <cstring>
#include <string>

using namespace isr;

namespace {

// All of [p, p + n) is zero.
bool zeroed(const char *p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (p[i])
            return false;
    return true;
}

} // namespace

static void wipe_clears_the_whole_capacity(void **)
{
    std::string s(100, 'k');
    s.resize(10); // the tail still holds 'k's
    const char *p = s.data();
    const std::size_t cap = s.capacity();
    wipe(s);
    assert_true(s.empty());
    assert_ptr_equal(s.data(), p); // same buffer, kept: we may look at it
    assert_true(zeroed(p, cap));

    std::string small = "short-1"; // in the object itself
    p = small.data();
    wipe(small);
    assert_true(zeroed(p, small.capacity()));
}

static void sensitive_string_moves_leave_nothing(void **)
{
    // a short value lives inside the object: a move copies it
    SensitiveString a(std::string_view("pw-short"));
    SensitiveString b(std::move(a));
    assert_string_equal(b.c_str(), "pw-short");
    assert_true(a.empty());
    assert_true(zeroed(a.c_str(), 15));

    // from a plain string: what stays behind in it is wiped
    std::string plain = "pw-short2";
    const char *p = plain.data();
    SensitiveString c(std::move(plain));
    assert_string_equal(c.c_str(), "pw-short2");
    assert_true(zeroed(p, 15));

    // assignment wipes the old value in place before taking the new one
    SensitiveString d(std::string_view(std::string(40, 'k')));
    const char *old = d.c_str();
    d = SensitiveString(std::string_view("new"));
    assert_string_equal(d.c_str(), "new");
    if (d.c_str() == old) // buffer reused: only "new" and zeros in it
        assert_true(zeroed(old + 4, 36));

    // reads as text
    const std::string &r = c;
    std::string_view v = c;
    assert_true(r == "pw-short2" && v == "pw-short2");
}

static void secret_assignment(void **)
{
    Secret s("first-secret-long-enough");
    s = Secret("second");
    assert_true(s.reveal() == "second");
    assert_true(Secret("x") == Secret("x"));
    assert_false(Secret("x") == Secret("y"));
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(wipe_clears_the_whole_capacity),
        cmocka_unit_test(sensitive_string_moves_leave_nothing),
        cmocka_unit_test(secret_assignment),
    };
    return cmocka_run_group_tests_name("secret", tests, nullptr, nullptr);
}
