// Secrets in memory: wipe() clears a string's whole buffer, Secret and
// SensitiveString leave no readable copy behind when destroyed, moved or
// assigned.
//
// Every check reads memory the test owns while it is still the test's: a
// string's buffer before it is given back, the storage a Secret was
// placement-constructed in (after its destructor ran, the bytes are still
// the test's array), or a heap block as the replaced operator delete below
// receives it, before it is handed to free(). Nothing reads freed memory
// or counts on an allocator giving the same block back.
#include "test_util.hpp"

#include "util/secret.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

using namespace isr;

// --- a window on the blocks std::string gives back --------------------------
// operator new/delete replaced for this test program: malloc/free, plus a
// copy of one watched block's bytes taken inside operator delete, while the
// block is still allocated. (The replacement is program-wide, so the
// strings in util/secret.cpp and libstdc++ go through it too.)
namespace {

struct Watch {
    const void *block = nullptr; // the block to look at when it is deleted
    std::size_t len = 0;         // how many of its bytes to copy
    unsigned char bytes[256] = {};
    bool deleted = false;
};
Watch g_watch;

void watch(const void *block, std::size_t len)
{
    if (len > sizeof g_watch.bytes)
        fail_msg("watch: %zu bytes, at most %zu", len, sizeof g_watch.bytes);
    g_watch = Watch{};
    g_watch.block = block;
    g_watch.len = len;
}

void seen_by_delete(void *p)
{
    if (p && p == g_watch.block) {
        std::memcpy(g_watch.bytes, p, g_watch.len);
        g_watch.deleted = true;
        g_watch.block = nullptr;
    }
}

void *allocate(std::size_t n)
{
    void *p = std::malloc(n ? n : 1);
    if (!p)
        throw std::bad_alloc();
    return p;
}

} // namespace

void *operator new(std::size_t n) { return allocate(n); }
void *operator new[](std::size_t n) { return allocate(n); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return std::malloc(n ? n : 1); }
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void *p) noexcept { seen_by_delete(p), std::free(p); }
void operator delete[](void *p) noexcept { seen_by_delete(p), std::free(p); }
void operator delete(void *p, std::size_t) noexcept { seen_by_delete(p), std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { seen_by_delete(p), std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { seen_by_delete(p), std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { seen_by_delete(p), std::free(p); }

namespace {

// All of [p, p + n) is zero.
bool zeroed(const void *p, std::size_t n)
{
    const unsigned char *b = static_cast<const unsigned char *>(p);
    for (std::size_t i = 0; i < n; ++i)
        if (b[i])
            return false;
    return true;
}

// Storage for one T that the test owns: T is constructed in it and
// destroyed explicitly, and the bytes stay readable afterwards.
template <class T> struct Slot {
    alignas(T) unsigned char bytes[sizeof(T)];
    T *obj = nullptr;

    template <class... A> T &make(A &&...a) { return *(obj = new (bytes) T(std::forward<A>(a)...)); }
    void destroy()
    {
        obj->~T();
        obj = nullptr;
        // the bytes are memory again: make the compiler read them from
        // there, not reason about the ended object
        asm volatile("" : : "r"(bytes) : "memory");
    }
    // offset of p in bytes[], which p must point into
    std::size_t offset(const char *p) const
    {
        auto at = reinterpret_cast<const unsigned char *>(p);
        assert_true(at >= bytes && at < bytes + sizeof bytes);
        return (std::size_t)(at - bytes);
    }
};

const std::size_t SHORT_CAP = std::string().capacity(); // what fits in the object (15 in libstdc++)

} // namespace

static void wipe_clears_the_whole_capacity(void **)
{
    std::string s(100, 'k');
    s.resize(10); // the tail still holds 'k's
    const char *p = s.data();
    const std::size_t cap = s.capacity();
    assert_true(cap >= 100);
    wipe(s);
    assert_true(s.empty());
    assert_ptr_equal(s.data(), p); // same buffer, still s's: we may look at it
    assert_int_equal(s.capacity(), cap);
    assert_true(zeroed(p, cap + 1)); // the terminator's byte too

    std::string small = "short-1"; // in the object itself
    p = small.data();
    wipe(small);
    assert_ptr_equal(small.data(), p);
    assert_true(zeroed(p, small.capacity() + 1));
}

// A short value lives in the object: the destructor must zero it there.
static void destructors_wipe_a_short_value_in_place(void **)
{
    Slot<Secret> s;
    std::size_t at = s.offset(s.make("pw-sec").reveal().data());
    s.destroy();
    assert_true(zeroed(s.bytes + at, SHORT_CAP + 1));

    Slot<SensitiveString> t;
    at = t.offset(t.make("pw-sens").c_str());
    t.destroy();
    assert_true(zeroed(t.bytes + at, SHORT_CAP + 1));
}

// A long value lives on the heap: its block must be all zeros, over its
// whole capacity, when the destructor gives it back.
static void destructors_wipe_a_long_value_before_freeing_it(void **)
{
    Slot<Secret> s;
    const std::string_view v = s.make(std::string(60, 'k')).reveal();
    watch(v.data(), v.size() + 1);
    s.destroy();
    assert_true(g_watch.deleted);
    assert_true(zeroed(g_watch.bytes, g_watch.len));

    // a shorter value copied in: the same block, its capacity still 80
    Slot<SensitiveString> t;
    SensitiveString &ts = t.make(std::string(80, 'k'));
    const SensitiveString shorter(std::string(40, 'q'));
    const char *p = ts.c_str();
    std::size_t cap = ts.str().capacity();
    ts = shorter;
    assert_ptr_equal(ts.c_str(), p);
    assert_int_equal(ts.str().capacity(), cap);
    watch(p, cap + 1);
    t.destroy();
    assert_true(g_watch.deleted);
    assert_true(zeroed(g_watch.bytes, g_watch.len));
}

static void sensitive_string_moves_leave_nothing(void **)
{
    // a short value lives inside the object: a move copies it
    SensitiveString a(std::string_view("pw-short"));
    SensitiveString b(std::move(a));
    assert_string_equal(b.c_str(), "pw-short");
    assert_true(a.empty());
    assert_true(zeroed(a.c_str(), SHORT_CAP + 1));

    // from a plain string: what stays behind in it is wiped
    std::string plain = "pw-short2";
    const char *p = plain.data();
    SensitiveString c(std::move(plain));
    assert_string_equal(c.c_str(), "pw-short2");
    assert_ptr_equal(plain.data(), p);
    assert_true(zeroed(p, SHORT_CAP + 1));

    // move-assigned from: the source's buffer is wiped
    SensitiveString e(std::string_view("pw-short3"));
    SensitiveString f;
    f = std::move(e);
    assert_string_equal(f.c_str(), "pw-short3");
    assert_true(e.empty());
    assert_true(zeroed(e.c_str(), SHORT_CAP + 1));

    // reads as text
    const std::string &r = c;
    std::string_view v = c;
    assert_true(r == "pw-short2" && v == "pw-short2");
}

// Assigning over a long value: the old bytes are zeroed whether the new
// value reuses the block (checked in place, in the live object) or the
// block is given back (checked as operator delete receives it).
template <class T> static void assignment_wipes_the_old_value(const char *text_of_new)
{
    T d(std::string_view(std::string(40, 'k')));
    const char *old = d.c_str_for_test();
    std::size_t cap = d.capacity_for_test();
    watch(old, cap + 1);
    d = T(std::string_view(text_of_new));
    const std::size_t n = std::strlen(text_of_new);
    if (g_watch.deleted) {
        assert_true(zeroed(g_watch.bytes, g_watch.len));
    } else {
        assert_ptr_equal(d.c_str_for_test(), old); // still d's block
        assert_memory_equal(old, text_of_new, n + 1);
        assert_true(zeroed(old + n, cap + 1 - n));
    }
    g_watch = Watch{};
}

namespace {
// The same two views on both types, for the template above.
struct SecretView : Secret {
    using Secret::Secret;
    const char *c_str_for_test() const { return reveal().data(); }
    std::size_t capacity_for_test() const { return size(); } // built from a view: capacity == size
};
struct SensitiveView : SensitiveString {
    using SensitiveString::SensitiveString;
    const char *c_str_for_test() const { return c_str(); }
    std::size_t capacity_for_test() const { return str().capacity(); }
};
} // namespace

static void secret_assignment(void **)
{
    assignment_wipes_the_old_value<SecretView>("second");
    assignment_wipes_the_old_value<SensitiveView>("new");

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
        cmocka_unit_test(destructors_wipe_a_short_value_in_place),
        cmocka_unit_test(destructors_wipe_a_long_value_before_freeing_it),
        cmocka_unit_test(sensitive_string_moves_leave_nothing),
        cmocka_unit_test(secret_assignment),
    };
    return cmocka_run_group_tests_name("secret", tests, nullptr, nullptr);
}
