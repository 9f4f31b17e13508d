// load_module() for the static build (make static), which has no libkmod:
// it runs the initramfs's own `modprobe -q NAME` (kmod's or busybox's;
// either reads modules.dep, aliases and softdeps under
// /lib/modules/$(uname -r)). The Makefile links this file instead of
// modules.cpp there; the interface is modules.hpp's.
#include "modules.hpp"

#include "util/log.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace isr::kernel {
namespace {

constexpr const char *MODPROBE_DIRS[] = {"/sbin", "/usr/sbin", "/bin", "/usr/bin"};

std::string find_modprobe()
{
    for (const char *dir : MODPROBE_DIRS) {
        std::string path = std::string(dir) + "/modprobe";
        if (access(path.c_str(), X_OK) == 0)
            return path;
    }
    return "";
}

// The last non-empty line of what modprobe printed (its reason), at most
// one line so our message stays one line.
std::string last_line(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    auto nl = text.find_last_of('\n');
    if (nl != std::string::npos)
        text.erase(0, nl + 1);
    if (text.size() > 200)
        text.resize(200);
    return text;
}

} // namespace

bool load_module(const std::string &name, std::string *why)
{
    if (module_present(name))
        return true;

    const std::string modprobe = find_modprobe();
    if (modprobe.empty()) {
        return module_failure(why, "cannot load " + name + ": no modprobe in /sbin, /usr/sbin, /bin, /usr/bin");
    }

    // modprobe's stdout and stderr both go to a pipe: our stdout carries
    // the block devices (dev=$(iscsistart)), and its complaint ends up in
    // our one-line error.
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        return module_failure(why, "cannot load " + name + ": pipe: " + strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO);
    char *argv[] = {const_cast<char *>(modprobe.c_str()), const_cast<char *>("-q"), const_cast<char *>(name.c_str()),
                    nullptr};
    pid_t pid = -1;
    int err = posix_spawn(&pid, modprobe.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (err != 0) {
        close(out[0]);
        module_failure(why, "cannot load " + name + ": cannot run " + modprobe + ": " + strerror(err));
        return false;
    }

    std::string text;
    char buf[512];
    for (;;) {
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n > 0) {
            if (text.size() < 4096)
                text.append(buf, (std::size_t)n);
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return module_failure(why, "cannot load " + name + ": waiting for " + modprobe + ": " + strerror(errno));
        }
    }

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        log::debug(1, "modules: loaded %s (%s)", name.c_str(), modprobe.c_str());
        return true;
    }
    std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : std::string("killed by signal ") + std::to_string(WTERMSIG(status));
    std::string said = last_line(text);
    if (said.empty())
        return module_failure(why, modprobe + " -q " + name + " failed (" + how + "; not found in /lib/modules?)");
    return module_failure(why, modprobe + " -q " + name + " failed (" + how + "): " + said);
}

} // namespace isr::kernel
