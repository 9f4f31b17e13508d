#include "sysfs.hpp"

#include "modules.hpp"
#include "nl_wake.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/clock.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <glob.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::kernel {
namespace {

bool read_file(const std::string &path, std::string &out)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    out.assign(buf, (std::size_t)n);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return true;
}


// Sort key for "H:C:T:L" so LUN 2 comes before LUN 10.
unsigned long lun_of(const std::string &path)
{
    // .../target2:0:0/2:0:0:<lun>/block/sdX
    auto b = path.rfind("/block/");
    auto s = path.rfind(':', b);
    return s == std::string::npos ? 0 : strtoul(path.c_str() + s + 1, nullptr, 10);
}

} // namespace

bool module_present(const std::string &name)
{
    std::string sys = "/sys/module/" + name;
    for (auto &c : sys)
        if (c == '-')
            c = '_';
    struct stat st;
    return stat(sys.c_str(), &st) == 0;
}

bool module_failure(std::string *why, const std::string &message)
{
    if (why)
        *why = message;
    else
        log::error("modules: %s", message.c_str());
    return false;
}

uint64_t tcp_transport_handle()
{
    const std::string path = "/sys/class/iscsi_transport/tcp/handle";
    std::string text;
    if (!read_file(path, text)) {
        load_module("iscsi_tcp");
        if (!read_file(path, text))
            throw Error(ISCSI_ERR_TRANS_NOT_FOUND,
                        "kernel: iscsi_tcp transport not available (" + path + " missing; is iscsi_tcp built?)");
    }
    char *end = nullptr;
    errno = 0;
    unsigned long long h = strtoull(text.c_str(), &end, 10);
    if (errno || end == text.c_str())
        throw Error(ISCSI_ERR_TRANS_NOT_FOUND, "kernel: unreadable transport handle in " + path);
    return h;
}

bool crypto_listed(std::string_view text, std::string_view name)
{
    // blocks of "key : value" lines; the key padded with blanks
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        std::string_view line = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        at = end == std::string_view::npos ? text.size() : end + 1;
        if (line.substr(0, 4) != "name")
            continue;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || line.find_first_not_of(' ', 4) != colon)
            continue;
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
            v.remove_suffix(1);
        if (v == name)
            return true;
    }
    return false;
}

bool crypto_present(std::string_view name)
{
    int fd = open("/proc/crypto", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            text.append(buf, (std::size_t)n);
    close(fd);
    return crypto_listed(text, name);
}

void scan_host(uint32_t host_no)
{
    std::string path = "/sys/class/scsi_host/host" + std::to_string(host_no) + "/scan";
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(ISCSI_ERR_SYSFS_LOOKUP, "scan: cannot open " + path + ": " + strerror(errno));
    static const char all[] = "- - -";
    ssize_t n = write(fd, all, sizeof all - 1);
    int e = errno;
    close(fd);
    if (n < 0)
        throw Error(ISCSI_ERR_SYSFS_LOOKUP, "scan: writing " + path + " failed: " + strerror(e));
}

std::vector<std::string> wait_for_disks(uint32_t sid, int timeout_ms, int64_t lun)
{
    std::string pattern =
        "/sys/class/iscsi_session/session" + std::to_string(sid) + "/device/target*/*:*:*:*/block/*";
    long deadline = monotonic_ms() + timeout_ms;
    auto wake = NetlinkWake::uevents(); // the disk's "add" ends a wait early
    for (;;) {
        glob_t g{};
        std::vector<std::string> found;
        if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
            for (size_t i = 0; i < g.gl_pathc; ++i)
                if (lun < 0 || lun_of(g.gl_pathv[i]) == (unsigned long)lun)
                    found.emplace_back(g.gl_pathv[i]);
        globfree(&g);
        if (!found.empty()) {
            std::sort(found.begin(), found.end(),
                      [](const std::string &a, const std::string &b) { return lun_of(a) < lun_of(b); });
            std::vector<std::string> devs;
            for (const auto &p : found) {
                std::string dev = "/dev/" + p.substr(p.rfind('/') + 1);
                // The node appears a moment after the sysfs entry (devtmpfs).
                if (access(dev.c_str(), F_OK) == 0)
                    devs.push_back(dev);
            }
            if (devs.size() == found.size())
                return devs;
        }
        if (monotonic_ms() >= deadline)
            return {};
        wake.wait(10);
    }
}

} // namespace isr::kernel
