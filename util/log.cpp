#include "log.hpp"
#include "clock.hpp"

#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace isr::log {
namespace {

int g_level = 0;
int g_kmsg = -1;
bool g_kmsg_tried = false;
bool g_kmsg_on = false;
bool g_stderr_is_console = false;

// The kernel rate-limits each /dev/kmsg writer (printk_devkmsg=ratelimit,
// the default: a burst of 10 records per 5 s) and then prints "N output
// lines suppressed" on the console. Stay inside that budget: steps use 8
// records per window, errors may use the last 2; what was left out is
// counted in the next window's first record.
constexpr long KMSG_WINDOW_MS = 5000;
constexpr int KMSG_BURST = 10, KMSG_STEPS = 8;
bool g_kmsg_unlimited = false;
long g_kmsg_window = -KMSG_WINDOW_MS;
int g_kmsg_count = 0, g_kmsg_dropped = 0;

// In an initramfs our stderr is usually the console, which also shows
// kernel messages: then our kmsg copies go at debug level, kept in the
// kernel log but not printed twice.
bool stderr_is_console()
{
    struct stat err, con;
    return fstat(STDERR_FILENO, &err) == 0 && stat("/dev/console", &con) == 0 && S_ISCHR(err.st_mode) &&
           (err.st_rdev == con.st_rdev || major(err.st_rdev) == 4 /* tty0-63, ttyS*: a console */);
}


const long g_start = monotonic_ms();

void kmsg_write(const char *line, int n, int level)
{
    char kline[1210];
    int k = snprintf(kline, sizeof kline, "<%d>%.*s", g_stderr_is_console ? 7 : level, n, line);
    if (k > 0)
        (void)!write(g_kmsg, kline, k < (int)sizeof kline ? k : (int)sizeof kline - 1);
}

// Whether one more record fits the kernel's budget (see KMSG_BURST).
bool kmsg_budget(bool is_error)
{
    if (g_kmsg_unlimited)
        return true;
    const long t = monotonic_ms();
    if (t - g_kmsg_window >= KMSG_WINDOW_MS) {
        g_kmsg_window = t;
        g_kmsg_count = 0;
        if (g_kmsg_dropped) {
            char note[120];
            int n = snprintf(note, sizeof note,
                             "iscsistart: %d earlier lines are on the console only (kernel log rate limit)\n",
                             g_kmsg_dropped);
            kmsg_write(note, n, 6);
            g_kmsg_count = 1;
            g_kmsg_dropped = 0;
        }
    }
    if (g_kmsg_count < (is_error ? KMSG_BURST : KMSG_STEPS)) {
        ++g_kmsg_count;
        return true;
    }
    ++g_kmsg_dropped;
    return false;
}

void open_kmsg()
{
    if (g_kmsg_tried)
        return;
    g_kmsg_tried = true;
    g_kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    char mode[16] = {};
    int fd = open("/proc/sys/kernel/printk_devkmsg", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        g_kmsg_unlimited = read(fd, mode, sizeof mode - 1) >= 2 && mode[0] == 'o' && mode[1] == 'n';
        close(fd);
    }
}

char g_tag[160] = "";

void emit(const char *prefix, const char *fmt, va_list ap, int kmsg_level)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char line[1400];
    int n = snprintf(line, sizeof line, "iscsistart: [%5ld ms] %s%s%s\n", elapsed_ms(), g_tag, prefix, msg);
    if (n < 0)
        return;
    if (n >= (int)sizeof line)
        n = sizeof line - 1;
    (void)!write(STDERR_FILENO, line, n);
    if (g_kmsg_on) {
        open_kmsg();
        if (g_kmsg >= 0 && kmsg_budget(kmsg_level <= 3))
            kmsg_write(line, n, kmsg_level);
    }
}

} // namespace

void set_level(int lvl) { g_level = lvl; }
void set_tag(const char *tag)
{
    snprintf(g_tag, sizeof g_tag, "%s%s", tag && *tag ? tag : "", tag && *tag ? ": " : "");
}
int level() { return g_level; }
void enable_kmsg(bool on)
{
    g_kmsg_on = on;
    if (on)
        g_stderr_is_console = stderr_is_console();
}
void keep_kmsg_open()
{
    g_kmsg_on = true;
    g_stderr_is_console = stderr_is_console();
    open_kmsg();
}
long elapsed_ms() { return monotonic_ms() - g_start; }

void info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap, 6);
    va_end(ap);
}

void error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", fmt, ap, 3);
    va_end(ap);
}

void debug(int lvl, const char *fmt, ...)
{
    if (g_level < lvl)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap, 7);
    va_end(ap);
}

} // namespace isr::log
