// vlan_tagger: an 802.1Q "switch port" between a QEMU guest and a TAP device,
// for the QEMU boot tests (qemu-tests/run-boot.sh --vlan VID).
//
//   vlan_tagger VID TAPNAME LOCAL_IP:PORT PEER_IP:PORT [LOGFILE]
//
// QEMU runs with -netdev socket,udp=LOCAL_IP:PORT,localaddr=PEER_IP:PORT: each
// UDP datagram is one Ethernet frame.  vlan_tagger creates the TAP device
// TAPNAME (IFF_TAP|IFF_NO_PI; the caller gives it an address), binds
// LOCAL_IP:PORT and forwards:
//   guest -> TAP:   frames tagged with VID, with the tag removed; untagged
//                   frames and frames with another VID are dropped and counted
//   TAP -> guest:   every frame, with a VID tag (priority 0) inserted
// Writes "vlan_tagger: ready ..." once forwarding, and its counters on
// SIGTERM/SIGINT or on a fatal error, to LOGFILE (appended) or stderr.
// Exit status: 0 after SIGTERM/SIGINT, 1 on a runtime error, 2 on usage errors.
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

volatile sig_atomic_t g_stop = 0;
FILE *g_log = stderr;

struct Counters {
    unsigned long from_guest = 0, passed = 0, untagged = 0, other_vid = 0, runt = 0;
    unsigned long from_tap = 0, to_guest = 0, send_errors = 0, tap_write_errors = 0;
};

void logf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vlan_tagger: ", g_log);
    vfprintf(g_log, fmt, ap);
    fputc('\n', g_log);
    fflush(g_log);
    va_end(ap);
}

void print_counters(const Counters &c)
{
    logf("counters: from_guest=%lu passed=%lu dropped_untagged=%lu dropped_other_vid=%lu "
         "dropped_runt=%lu from_tap=%lu to_guest=%lu send_errors=%lu tap_write_errors=%lu",
         c.from_guest, c.passed, c.untagged, c.other_vid, c.runt, c.from_tap, c.to_guest,
         c.send_errors, c.tap_write_errors);
}

[[noreturn]] void usage(const char *why)
{
    if (why)
        fprintf(stderr, "vlan_tagger: %s\n", why);
    fprintf(stderr, "usage: vlan_tagger VID TAPNAME LOCAL_IP:PORT PEER_IP:PORT [LOGFILE]\n"
                    "  e.g. vlan_tagger 100 tap0 127.0.0.1:40001 127.0.0.1:40002 tagger.log\n");
    exit(2);
}

bool parse_endpoint(const char *s, sockaddr_in &sa)
{
    std::string str = s;
    auto colon = str.rfind(':');
    if (colon == std::string::npos)
        return false;
    std::string host = str.substr(0, colon), port = str.substr(colon + 1);
    char *end = nullptr;
    errno = 0;
    long p = strtol(port.c_str(), &end, 10);
    if (port.empty() || *end || errno || p < 1 || p > 65535)
        return false;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)p);
    return inet_pton(AF_INET, host.c_str(), &sa.sin_addr) == 1;
}

void on_signal(int) { g_stop = 1; }

}  // namespace

int main(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
        usage(nullptr);
    if (argc < 5 || argc > 6)
        usage("wrong number of arguments");
    char *end = nullptr;
    errno = 0;
    long vid = strtol(argv[1], &end, 10);
    if (!*argv[1] || *end || errno || vid < 1 || vid > 4094)
        usage("VID must be 1 to 4094");
    const char *tapname = argv[2];
    if (!*tapname || strlen(tapname) >= IFNAMSIZ)
        usage("bad TAPNAME");
    sockaddr_in local{}, peer{};
    if (!parse_endpoint(argv[3], local))
        usage("bad LOCAL_IP:PORT (IPv4 address and port)");
    if (!parse_endpoint(argv[4], peer))
        usage("bad PEER_IP:PORT (IPv4 address and port)");
    if (argc == 6) {
        g_log = fopen(argv[5], "ae");
        if (!g_log) {
            fprintf(stderr, "vlan_tagger: cannot open log %s: %s\n", argv[5], strerror(errno));
            return 2;
        }
    }

    int tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tap < 0) {
        logf("error: open /dev/net/tun: %s", strerror(errno));
        return 1;
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tapname);
    if (ioctl(tap, TUNSETIFF, &ifr) < 0) {
        logf("error: TUNSETIFF %s (IFF_TAP|IFF_NO_PI): %s", tapname, strerror(errno));
        return 1;
    }
    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (udp < 0) {
        logf("error: socket: %s", strerror(errno));
        return 1;
    }
    if (bind(udp, (sockaddr *)&local, sizeof local) < 0) {
        logf("error: bind %s: %s", argv[3], strerror(errno));
        return 1;
    }

    struct sigaction sa{};
    sa.sa_handler = on_signal;  // no SA_RESTART: poll() returns EINTR
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    logf("ready: vid %ld, tap %s, udp %s <-> %s", vid, ifr.ifr_name, argv[3], argv[4]);
    Counters c;
    // 64 KiB covers any frame; +4 for the inserted tag
    static unsigned char in[65536 + 4], out[65536 + 4];
    int rc = 0;
    pollfd pfd[2] = {{udp, POLLIN, 0}, {tap, POLLIN, 0}};
    while (!g_stop) {
        int n = poll(pfd, 2, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            logf("error: poll: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (pfd[0].revents & POLLIN) {  // a frame from the guest
            ssize_t len = recv(udp, in, sizeof in - 4, 0);
            if (len >= 0) {
                c.from_guest++;
                bool tagged = len >= 14 && in[12] == 0x81 && in[13] == 0x00;
                if (len < 14 || (tagged && len < 18)) {
                    c.runt++;
                } else if (!tagged) {
                    c.untagged++;
                } else if ((((in[14] << 8) | in[15]) & 0x0fff) != vid) {
                    c.other_vid++;
                } else {
                    memcpy(out, in, 12);
                    memcpy(out + 12, in + 16, len - 16);
                    if (write(tap, out, len - 4) == len - 4)
                        c.passed++;
                    else
                        c.tap_write_errors++;
                }
            } else if (errno != EINTR && errno != EAGAIN) {
                logf("error: recv: %s", strerror(errno));
                rc = 1;
                break;
            }
        }
        if (pfd[1].revents & POLLIN) {  // a frame to the guest
            ssize_t len = read(tap, in, sizeof in - 4);
            if (len >= 14) {
                c.from_tap++;
                memcpy(out, in, 12);
                out[12] = 0x81;
                out[13] = 0x00;
                out[14] = (unsigned char)(vid >> 8);
                out[15] = (unsigned char)(vid & 0xff);
                memcpy(out + 16, in + 12, len - 12);
                if (sendto(udp, out, len + 4, 0, (sockaddr *)&peer, sizeof peer) == len + 4)
                    c.to_guest++;
                else
                    c.send_errors++;  // QEMU not listening (yet): the frame is lost
            } else if (len < 0 && errno != EINTR && errno != EAGAIN) {
                logf("error: read %s: %s", ifr.ifr_name, strerror(errno));
                rc = 1;
                break;
            }
        }
        if ((pfd[0].revents | pfd[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
            // a UDP socket reports ICMP errors as POLLERR: clear and go on
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(udp, SOL_SOCKET, SO_ERROR, &err, &el);
            if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                logf("error: %s: poll error", ifr.ifr_name);
                rc = 1;
                break;
            }
        }
    }
    if (g_stop)
        logf("stopping on signal");
    print_counters(c);
    return rc;
}
