// Shared helpers for the CMocka unit tests.
#pragma once

#include <csetjmp>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
extern "C" {
#include <cmocka.h>
}

#include "util/errors.hpp"

#include <string>

// Run `expr`, which must throw isr::Error with exit code `want_code`
// and a message containing `want_text`.
#define EXPECT_ERROR(expr, want_code, want_text)                                                            \
    do {                                                                                                    \
        bool thrown_ = false;                                                                               \
        try {                                                                                               \
            expr;                                                                                           \
        } catch (const isr::Error &e_) {                                                                    \
            thrown_ = true;                                                                                 \
            if (e_.code() != (want_code) || std::string(e_.what()).find(want_text) == std::string::npos) { \
                print_error("got code %d: %s\n", e_.code(), e_.what());                                     \
                fail();                                                                                     \
            }                                                                                               \
        }                                                                                                   \
        if (!thrown_) {                                                                                     \
            print_error("%s did not throw\n", #expr);                                                       \
            fail();                                                                                         \
        }                                                                                                   \
    } while (0)
