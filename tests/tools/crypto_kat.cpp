// crypto_kat: the CHAP known answers (tests/unit/fixtures/chap_known_answers.hpp)
// through whichever crypto backend this binary is linked with; make static
// links the kernel one (AF_ALG), and the boot scenario static-crypto-kat
// runs it inside the QEMU guest, whose kernel has AF_ALG (the build host's
// may not). Also checks random bytes and the constant-time compare.
//
// Loads af_alg/algif_hash/hash modules with the initramfs's modprobe, as
// iscsistart does. Prints one line per check and "crypto-kat: N passed,
// M failed" last; exit 0 only when every check passed.
#include "../../iscsistart/kernel/modules.hpp"
#include "../../iscsistart/login/chap.hpp"
#include "../unit/fixtures/chap_known_answers.hpp"
#include "crypto/crypto.hpp"
#include "util/errors.hpp"

#include <cstdio>
#include <string>

using namespace isr;

int main()
{
    crypto::set_module_loader([](const std::string &m, std::string *why) { return kernel::load_module(m, why); });
    int passed = 0, failed = 0;
    auto check = [&](bool ok, const std::string &what) {
        std::printf("crypto-kat: %s: %s\n", ok ? "ok" : "FAIL", what.c_str());
        (ok ? passed : failed)++;
    };
    std::printf("crypto-kat: backend %s\n", crypto::backend_name());
    for (int alg : {5, 6, 7, 8}) {
        std::string why;
        bool ok = crypto::hash_available(alg, &why);
        check(ok, std::string(chap::algorithm_name(alg)) + " available" + (ok ? "" : ": " + why));
    }
    for (const auto &ka : test::CHAP_KNOWN_ANSWERS) {
        std::string what = std::string(chap::algorithm_name(ka.chap_a)) + " CHAP_I=" + std::to_string(ka.id) +
                           " CHAP_C=" + ka.challenge;
        try {
            auto c = chap::decode_binary(ka.challenge);
            std::string got = c ? chap::encode_hex(chap::response(ka.chap_a, ka.id, Secret(ka.secret), *c)) : "";
            check(got == ka.response, what + (got == ka.response ? "" : " got " + got + " want " + ka.response));
        } catch (const Error &e) {
            check(false, what + ": " + e.what());
        }
    }
    try {
        auto a = crypto::random_bytes(32), b = crypto::random_bytes(32);
        check(a.size() == 32 && a != b, "random_bytes gives 32 fresh bytes");
    } catch (const Error &e) {
        check(false, std::string("random_bytes: ") + e.what());
    }
    const uint8_t x[] = {1, 2, 3}, y[] = {1, 2, 4};
    check(crypto::equal_ct(x, x, 3) && !crypto::equal_ct(x, y, 3), "equal_ct");
    std::printf("crypto-kat: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
