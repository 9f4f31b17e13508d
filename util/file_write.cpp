#include "file_write.hpp"

#include "util/errors.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::files {

namespace {

[[noreturn]] void fail(const std::string &who, const std::string &what, const std::string &path)
{
    throw Error(ISCSI_ERR, who + ": cannot " + what + " " + path + ": " + strerror(errno));
}

// A temporary file's name suffix: unique enough with O_EXCL and retries.
uint32_t suffix32()
{
    static uint32_t x = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(nullptr);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

} // namespace

void make_dirs(const std::string &dir, const std::string &who)
{
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/')
            continue;
        const std::string d = dir.substr(0, pos);
        if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            fail(who, "create directory", d);
    }
    struct stat st;
    if (stat(dir.c_str(), &st) != 0)
        fail(who, "create directory", dir);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        fail(who, "create directory", dir);
    }
}

void write_atomic_at(int dirfd, const std::string &dir, const std::string &name, const std::string &text,
                     const std::string &who)
{
    const std::string path = dir + "/" + name;
    std::string tmp;
    int fd = -1;
    for (int i = 0; i < 100 && fd < 0; ++i) {
        char sfx[16];
        snprintf(sfx, sizeof sfx, "%08x", (unsigned)suffix32());
        tmp = "." + name + "." + sfx;
        fd = openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        fail(who, "create a temporary file for", path);
    std::size_t done = 0;
    bool ok = fchmod(fd, 0644) == 0;
    while (ok && done < text.size()) {
        const ssize_t w = write(fd, text.data() + done, text.size() - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            done += (std::size_t)w;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlinkat(dirfd, tmp.c_str(), 0);
        errno = saved;
        fail(who, "write", path);
    }
}

void write_atomic(const std::string &dir, const std::string &name, const std::string &text, const std::string &who)
{
    make_dirs(dir, who);
    const int dfd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        fail(who, "open directory", dir);
    try {
        write_atomic_at(dfd, dir, name, text, who);
    } catch (...) {
        close(dfd);
        throw;
    }
    close(dfd);
}

} // namespace isr::files
