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
long expect_failure(const SessionConfig &o, int code, const char *text, LoginAttempts *stats = nullptr)
{
    long t0 = now_ms();
    EXPECT_ERROR(login_with_retries(o, ISID, 1, stats), code, text);
    return now_ms() - t0;
}

// Slack for what the bounds below cannot control: a few loopback connects,
// a fork()ed target's usleep() and wake-ups, one PDU exchange per attempt,
// all under ASan and UBSan (2-3x slower code, and the forked target has to
// be scheduled too) on a 2-core machine shared with parallel builds, where a
// runnable process can wait hundreds of ms for a core. 3 s is several times
// the delays seen there, and still far below what each test's bound is
// there to catch (each says what).
constexpr long SLACK_MS = 3000;

// `ms` is in [lo, hi]; names the bound that failed.
void assert_between(long ms, long lo, long hi)
{
    if (ms < lo || ms > hi)
        fail_msg("took %ld ms, expected %ld..%ld ms", ms, lo, hi);
}

} // namespace

// A retryable target error (0301) forever: exactly initial_login_retry_max
// attempts, with only the backoff in between: 250 ms then 500 ms, each
// scaled by [0.75, 1.25) (util/backoff.hpp), so 562..937 ms in all. The
// upper bound (937 ms + SLACK_MS) stays below the 10 s login_timeout: a
// client that waited out the timeout on any attempt instead of taking the
// target's answer, or slept far more than the backoff, fails it.
static void retries_stop_after_configured_attempts(void **)
{
    const int timeout_s = 10;
    Target t(3, 1, 0);
    LoginAttempts st;
    long ms = expect_failure(options(t.port, 3, timeout_s), ISCSI_ERR_LOGIN, "service unavailable (status 0301)", &st);
    assert_int_equal(t.connections(), 3);
    assert_int_equal(st.attempts, 3);
    assert_int_equal(st.busy, 3); // each refusal counted as the target being busy
    const long backoff_min = 250 * 3 / 4 + 500 * 3 / 4, backoff_max = 250 * 5 / 4 + 500 * 5 / 4;
    static_assert(backoff_max + SLACK_MS < timeout_s * 1000L, "the bound must exclude one login_timeout");
    assert_between(ms, backoff_min, backoff_max + SLACK_MS);
}

// 0 or 1 means a single attempt.
// 0302 "out of resources" is a busy target too, retried like 0301; a
// plain target error (0300) is retried but is not counted as busy.
static void busy_target_counted(void **)
{
    {
        Target t(3, 2, 0);
        LoginAttempts st;
        expect_failure(options(t.port, 2, 5), ISCSI_ERR_LOGIN, "out of resources (status 0302)", &st);
        assert_int_equal(t.connections(), 2);
        assert_int_equal(st.attempts, 2);
        assert_int_equal(st.busy, 2);
    }
    Target t(3, 0, 0);
    LoginAttempts st;
    expect_failure(options(t.port, 2, 5), ISCSI_ERR_LOGIN, "target error (status 0300)", &st);
    assert_int_equal(t.connections(), 2);
    assert_int_equal(st.busy, 0);
}

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

// Each answer in 300 ms, never finishing: login_timeout (4 s) ends the
// attempt, not the 32-exchange limit (which would take 9.6 s). Measured
// against the configured timeout: at least all of it (the deadline and
// this clock are both CLOCK_MONOTONIC in ms, and the deadline starts after
// t0), at most the timeout + SLACK_MS. 4 s, not 1 s, so that the bound
// still tells a deadline per login from one twice as long (8 s) or one
// per response (9.6 s, and the exchange limit's error).
static void login_timeout_bounds_whole_login(void **)
{
    const int timeout_s = 4, answer_ms = 300;
    Target t(0, 0, answer_ms);
    long ms = expect_failure(options(t.port, 1, timeout_s), ISCSI_ERR_PDU_TIMEOUT,
                             "did not complete the login within 4 s");
    assert_int_equal(t.connections(), 1);
    static_assert(timeout_s * 1000L + SLACK_MS < 2 * timeout_s * 1000L, "the bound must exclude twice the timeout");
    static_assert(timeout_s * 1000L + SLACK_MS < 32L * answer_ms, "the bound must exclude 32 exchanges");
    assert_between(ms, timeout_s * 1000L, timeout_s * 1000L + SLACK_MS);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(retries_stop_after_configured_attempts),
        cmocka_unit_test(busy_target_counted),
        cmocka_unit_test(zero_retries_means_one_attempt),
        cmocka_unit_test(initiator_error_is_not_retried),
        cmocka_unit_test(login_timeout_bounds_whole_login),
    };
    return cmocka_run_group_tests_name("login_client", tests, nullptr, nullptr);
}
