// Non-blocking bytes for identifiers (crypto::unique_bytes) and the probe
// for whether a blocking draw would wait (crypto::random_would_block).
// Shared by both crypto backends: neither needs OpenSSL nor AF_ALG.
#include "crypto.hpp"
#include "unique.hpp"

#include "util/errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/random.h>
#include <unistd.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004 // Linux 5.6 (include/uapi/linux/random.h)
#endif

namespace isr::crypto {
namespace detail {
namespace {

ssize_t sys_getrandom(void *buf, std::size_t len, unsigned flags) { return getrandom(buf, len, flags); }

void read_file(uint8_t *out, std::size_t n, const char *path)
{
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        throw Error(ISCSI_ERR_INTERNAL, std::string("random: cannot open ") + path + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, out + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : 0;
            close(fd);
            throw Error(ISCSI_ERR_INTERNAL, std::string("random: reading ") + path + " failed: " +
                                                (e ? std::strerror(e) : "end of file"));
        }
        done += (std::size_t)r;
    }
    close(fd);
}

} // namespace

void fill_unique(uint8_t *out, std::size_t n, GetrandomFn gr, const char *fallback_path)
{
    std::size_t done = 0;
    while (done < n) {
        ssize_t r = gr(out + done, n - done, GRND_INSECURE);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EINVAL || errno == ENOSYS)) // before 5.6: no GRND_INSECURE
            return read_file(out + done, n - done, fallback_path);
        if (r < 0)
            throw Error(ISCSI_ERR_INTERNAL, std::string("random: getrandom(GRND_INSECURE) failed: ") +
                                                std::strerror(errno));
        done += (std::size_t)r;
    }
}

bool would_block(GetrandomFn gr)
{
    uint8_t b;
    ssize_t r;
    do
        r = gr(&b, 1, GRND_NONBLOCK);
    while (r < 0 && errno == EINTR);
    wipe(&b, 1);
    return r < 0 && errno == EAGAIN;
}

} // namespace detail

std::vector<uint8_t> unique_bytes(std::size_t n)
{
    std::vector<uint8_t> out(n);
    detail::fill_unique(out.data(), n, detail::sys_getrandom, "/dev/urandom");
    return out;
}

bool random_would_block() { return detail::would_block(detail::sys_getrandom); }

} // namespace isr::crypto
