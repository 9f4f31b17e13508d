// The login driver's bounds, against a tiny forked target on 127.0.0.1:
// how many attempts login_with_retries makes, and that login_timeout
// bounds a whole login, not each response.
#include "test_util.hpp"

#include "../../iscsistart/login/client.hpp"
#include "util/clock.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace isr;

namespace {

bool read_all(int fd, uint8_t *p, std::size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0)
            return false;
        p += r;
        n -= (std::size_t)r;
    }
    return true;
}

// A target that answers every login request with status `cls`/`det`
// (class 0: an empty response without T, after `delay_ms`). One byte goes
// to `count_fd` per connection.
struct Target {
    pid_t pid = -1;
    uint16_t port = 0;
    int count_fd = -1; // read end

    Target(uint8_t cls, uint8_t det, int delay_ms)
    {
        int ls = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t sl = sizeof sa;
        assert_int_equal(bind(ls, (sockaddr *)&sa, sizeof sa), 0);
        assert_int_equal(listen(ls, 8), 0);
        assert_int_equal(getsockname(ls, (sockaddr *)&sa, &sl), 0);
        port = ntohs(sa.sin_port);
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            alarm(30);
            for (;;) {
                int fd = accept(ls, nullptr, nullptr);
                if (fd < 0)
                    _exit(0);
                (void)!write(p[1], "c", 1);
                uint8_t b[pdu::BHS_LEN];
                while (read_all(fd, b, sizeof b)) {
                    std::size_t len = pdu::data_segment_length(b);
                    std::vector<uint8_t> data(len + pdu::pad_len(len));
                    if (!read_all(fd, data.data(), data.size()))
                        break;
                    usleep(delay_ms * 1000);
                    uint8_t r[pdu::BHS_LEN] = {};
                    r[0] = pdu::OP_LOGIN_RSP;
                    r[1] = b[1] & 0x0c; // same stage, no T
                    memcpy(r + 8, b + 8, 6); // ISID
                    memcpy(r + 16, b + 16, 4); // ITT
                    r[36] = cls;
                    r[37] = det;
                    if (send(fd, r, sizeof r, MSG_NOSIGNAL) != (ssize_t)sizeof r)
                        break;
                }
                close(fd);
            }
        }
        close(ls);
        close(p[1]);
        count_fd = p[0];
    }

    ~Target()
    {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        close(count_fd);
    }

    int connections()
    {
        fcntl(count_fd, F_SETFL, O_NONBLOCK);
        char buf[64];
        int n = 0;
        for (ssize_t r; (r = read(count_fd, buf, sizeof buf)) > 0;)
            n += (int)r;
        return n;
    }
};

SessionConfig options(uint16_t port, int retries, int timeout_s)
{
    SessionConfig o;
    o.portal = {"127.0.0.1", port};
    o.login.initiator_name = "iqn.2026-11.test:init";
    o.login.target_name = "iqn.2026-11.test:disk";
    o.session.initial_login_retry_max = retries;
    o.session.login_timeout_s = timeout_s;
    return o;
}

long now_ms() { return monotonic_ms(); }

const pdu::Isid ISID = {0x80, 1, 2, 3, 0, 0};

// Runs login_with_retries, which must fail with `code`; returns the time.
long expect_failure(const SessionConfig &o, int code, const char *text)
{
    long t0 = now_ms();
    EXPECT_ERROR(login_with_retries(o, ISID, 1), code, text);
    return now_ms() - t0;
}

} // namespace

// A retryable target error (0301) forever: exactly initial_login_retry_max
// attempts, with only the backoff (250 ms, 500 ms, +-25%) in between.
static void retries_stop_after_configured_attempts(void **)
{
    Target t(3, 1, 0);
    long ms = expect_failure(options(t.port, 3, 2), ISCSI_ERR_LOGIN, "service unavailable (status 0301)");
    assert_int_equal(t.connections(), 3);
    assert_true(ms < 2000);
}

// 0 or 1 means a single attempt.
static void zero_retries_means_one_attempt(void **)
{
    Target t(3, 0, 0);
    expect_failure(options(t.port, 0, 2), ISCSI_ERR_LOGIN, "target error");
    assert_int_equal(t.connections(), 1);
}

// An initiator error is final: no second attempt.
static void initiator_error_is_not_retried(void **)
{
    Target t(2, 1, 0);
    expect_failure(options(t.port, 5, 2), ISCSI_ERR_LOGIN_AUTH_FAILED, "authentication failure");
    assert_int_equal(t.connections(), 1);
}

// Each answer in 300 ms, never finishing: login_timeout (1 s) ends the
// attempt, not the 32-exchange limit (which would take 9.6 s).
static void login_timeout_bounds_whole_login(void **)
{
    Target t(0, 0, 300);
    long ms = expect_failure(options(t.port, 1, 1), ISCSI_ERR_PDU_TIMEOUT, "did not complete the login within 1 s");
    assert_int_equal(t.connections(), 1);
    assert_true(ms >= 900 && ms < 2000);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(retries_stop_after_configured_attempts),
        cmocka_unit_test(zero_retries_means_one_attempt),
        cmocka_unit_test(initiator_error_is_not_retried),
        cmocka_unit_test(login_timeout_bounds_whole_login),
    };
    return cmocka_run_group_tests_name("login_client", tests, nullptr, nullptr);
}
