// crypto.hpp over the kernel: hashes from the kernel crypto API through
// AF_ALG "hash" sockets (algif_hash; Documentation/crypto/userspace-if.rst),
// random bytes from getrandom(2). The static musl build links this instead
// of openssl.cpp: there is no musl libcrypto to link, and the kernel that
// runs the initramfs already has these hashes.
#include "crypto.hpp"

#include "util/errors.hpp"

#include <cerrno>
#include <cstring>
#include <linux/if_alg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

namespace isr::crypto {
namespace {

struct KernelHash {
    int chap_a;
    const char *label;  // name in messages, as chap.hpp's table spells it
    const char *name;   // the kernel's algorithm name (/proc/crypto)
    std::size_t size;   // digest bytes
    const char *module; // the generic module that provides it, for messages
};
constexpr KernelHash HASHES[] = {
    {5, "MD5", "md5", 16, "md5"},
    {6, "SHA1", "sha1", 20, "sha1_generic"},
    {7, "SHA256", "sha256", 32, "sha256_generic"},
    {8, "SHA3-256", "sha3-256", 32, "sha3_generic"},
};
constexpr std::size_t N_HASHES = sizeof HASHES / sizeof HASHES[0];

ModuleLoader loader = nullptr;

const KernelHash *find(int chap_a)
{
    for (const auto &h : HASHES)
        if (h.chap_a == chap_a)
            return &h;
    return nullptr;
}

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// Run `op`; when it fails with `missing`, load `module` and run it again.
// errno is the failure's, not the loader's; the loader's reason for not
// loading goes to `load_why`.
template <class Op> int with_module(Op op, int missing, const std::string &module, std::string &load_why)
{
    int rc = op();
    if (rc < 0 && errno == missing && loader) {
        int saved = errno;
        if (loader(module, &load_why))
            return op();
        errno = saved;
    }
    return rc;
}

int alg_socket(std::string &load_why)
{
    return with_module([] { return socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0); }, EAFNOSUPPORT, "algif_hash",
                       load_why);
}

int bind_hash(int fd, const KernelHash &h, std::string &load_why)
{
    sockaddr_alg sa{};
    sa.salg_family = AF_ALG;
    std::memcpy(sa.salg_type, "hash", 5);
    std::strncpy(reinterpret_cast<char *>(sa.salg_name), h.name, sizeof sa.salg_name - 1);
    return with_module([&] { return bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa); }, ENOENT,
                       std::string("crypto-") + h.name, load_why);
}

// A bound "hash" socket for `h`, or -1 with `why` set. The bound socket
// is kept for the life of the process: each hash() accepts a fresh
// operation socket from it.
int bound_socket(const KernelHash &h, std::string *why)
{
    static int bound[N_HASHES] = {};     // fd + 1; 0 = not probed yet
    static int probe_errno[N_HASHES] = {};
    static bool no_af_alg = false;
    static int af_alg_errno = 0;
    static std::string af_alg_load, hash_load[N_HASHES]; // the loader's reasons
    auto loading = [](const std::string &module, const std::string &r) {
        return r.empty() ? std::string() : " (loading " + module + ": " + r + ")";
    };
    std::size_t i = (std::size_t)(&h - HASHES);
    auto no_sockets = [&] {
        if (why)
            *why = std::string(h.label) + ": no AF_ALG hash sockets in this kernel (module algif_hash, " +
                   "CONFIG_CRYPTO_USER_API_HASH): " + std::strerror(af_alg_errno) + loading("algif_hash", af_alg_load);
        return -1;
    };
    auto no_hash = [&] {
        if (why)
            *why = std::string(h.label) + ": the kernel crypto API has no " + h.name + " (module " + h.module +
                   ", alias crypto-" + h.name + "): " + std::strerror(probe_errno[i]) +
                   loading(std::string("crypto-") + h.name, hash_load[i]);
        return -1;
    };
    if (bound[i] > 0)
        return bound[i] - 1;
    if (bound[i] < 0)
        return no_af_alg ? no_sockets() : no_hash();
    if (no_af_alg) { // found out probing another hash: no second module load
        bound[i] = -1;
        return no_sockets();
    }
    int fd = alg_socket(af_alg_load);
    if (fd < 0) {
        no_af_alg = true;
        af_alg_errno = errno;
        bound[i] = -1;
        return no_sockets();
    }
    if (bind_hash(fd, h, hash_load[i]) < 0) {
        probe_errno[i] = errno;
        close(fd);
        bound[i] = -1;
        return no_hash();
    }
    bound[i] = fd + 1;
    return fd;
}

} // namespace

const char *backend_name() { return "kernel (AF_ALG)"; }

void set_module_loader(ModuleLoader load) { loader = load; }

bool hash_available(int chap_a, std::string *why)
{
    const KernelHash *h = find(chap_a);
    if (!h) {
        if (why)
            *why = "CHAP_A " + std::to_string(chap_a) + " is no algorithm we know";
        return false;
    }
    return bound_socket(*h, why) >= 0;
}

std::vector<uint8_t> hash(int chap_a, std::initializer_list<std::span<const uint8_t>> parts)
{
    std::string why;
    const KernelHash *h = find(chap_a);
    int tfm = h ? bound_socket(*h, &why) : -1;
    if (tfm < 0)
        throw Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "CHAP: " + (h ? why : "unknown CHAP_A " + std::to_string(chap_a)));
    auto fail = [&](const char *what) {
        return Error(ISCSI_ERR_INTERNAL,
                     std::string("CHAP: kernel ") + h->name + " hash failed (" + what + "): " + std::strerror(errno));
    };
    Fd op(accept4(tfm, nullptr, nullptr, SOCK_CLOEXEC));
    if (op.get() < 0)
        throw fail("accept");
    // Every part with MSG_MORE; the read then finishes the hash.
    for (auto p : parts) {
        std::size_t done = 0;
        do {
            ssize_t n = send(op.get(), p.data() + done, p.size() - done, MSG_MORE);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw fail("send");
            done += (std::size_t)n;
        } while (done < p.size());
    }
    std::vector<uint8_t> out(h->size);
    ssize_t n;
    do
        n = read(op.get(), out.data(), out.size());
    while (n < 0 && errno == EINTR);
    if (n < 0)
        throw fail("read");
    if ((std::size_t)n != h->size)
        throw Error(ISCSI_ERR_INTERNAL, std::string("CHAP: kernel ") + h->name + " gave " + std::to_string(n) +
                                            " bytes, expected " + std::to_string(h->size));
    return out;
}

std::vector<uint8_t> random_bytes(std::size_t n)
{
    std::vector<uint8_t> out(n);
    std::size_t done = 0;
    while (done < n) {
        ssize_t r = getrandom(out.data() + done, n - done, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            throw Error(ISCSI_ERR_INTERNAL, std::string("getrandom failed: ") + std::strerror(errno));
        done += (std::size_t)r;
    }
    return out;
}

bool equal_ct(const uint8_t *a, const uint8_t *b, std::size_t n) noexcept
{
    volatile uint8_t diff = 0;
    for (std::size_t i = 0; i < n; ++i)
        diff = diff | (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

void wipe(void *p, std::size_t n) noexcept
{
    if (n)
        explicit_bzero(p, n);
}

} // namespace isr::crypto
