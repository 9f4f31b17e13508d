// The writer of keep_network.hpp's files (the I/O half).
#include "keep_network.hpp"

#include "util/errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::handover {

namespace {

[[noreturn]] void fail(const std::string &what, const std::string &path)
{
    throw Error(ISCSI_ERR, "keep-network: cannot " + what + " " + path + ": " + strerror(errno));
}

void make_dirs(const std::string &dir)
{
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/')
            continue;
        const std::string d = dir.substr(0, pos);
        if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            fail("create directory", d);
    }
    struct stat st;
    if (stat(dir.c_str(), &st) != 0)
        fail("create directory", dir);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        fail("create directory", dir);
    }
}

// `text` as dir/name, mode 0644: temporary file, fsync, rename
void write_atomic(const std::string &dir, const std::string &name, const std::string &text)
{
    make_dirs(dir);
    const std::string path = dir + "/" + name;
    std::string tmp = dir + "/." + name + ".XXXXXX";
    const int fd = mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0)
        fail("create a temporary file for", path);
    bool ok = fchmod(fd, 0644) == 0;
    std::size_t done = 0;
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
    if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp.c_str());
        errno = saved;
        fail("write", path);
    }
}

} // namespace

void write_keep_network(const BootInterface &b, const std::string &root)
{
    const std::string &n = b.ifname;
    if (n.empty() || n == "." || n == ".." || n.find_first_of("/\n") != std::string::npos ||
        n.find('\0') != std::string::npos)
        throw Error(ISCSI_ERR_INVAL, "keep-network: bad interface name \"" + n + "\"");
    const std::string base = root.empty() || root == "/" ? "" : (root.back() == '/' ? root.substr(0, root.size() - 1) : root);
    write_atomic(base + "/run/systemd/network", networkd_file_name(n), networkd_text(b));
    write_atomic(base + "/run/NetworkManager/conf.d", nm_file_name(n), nm_text(b));
}

} // namespace isr::handover
