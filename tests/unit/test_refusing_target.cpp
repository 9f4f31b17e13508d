// The benchmark's refusing target (bench/target/): its admission count,
// and its login answered to iscsistart's own login state machine, which
// must reach full feature phase, or, refused, get a retryable busy error.
#include "test_util.hpp"

#include "../../bench/target/admission.hpp"
#include "../../bench/target/responder.hpp"
#include "../../iscsistart/login/login.hpp"

using namespace isr;

namespace {

const pdu::Isid ISID = {0x80, 1, 2, 3, 0, 0};
const char *TARGET = "iqn.2026-11.test:disk";

LoginConfig config()
{
    LoginConfig c;
    c.initiator_name = "iqn.2026-11.test:init";
    c.target_name = TARGET;
    return c;
}

// One request of `l` through `r`; the Login's outcome of the reply.
Login::Outcome exchange(Login &l, bench::Responder &r, bench::Reply *last = nullptr)
{
    auto req = l.next_request();
    bench::Reply rep = r.on_request(req.bhs.data(), req.data.data(), req.data.size());
    if (last)
        *last = rep;
    assert_true(rep.bytes.size() >= pdu::BHS_LEN);
    auto rsp = pdu::decode_login_response(rep.bytes.data());
    assert_int_equal(rep.bytes.size(), pdu::BHS_LEN + rsp.data_len + pdu::pad_len(rsp.data_len));
    return l.on_response(rsp, rep.bytes.data() + pdu::BHS_LEN, rsp.data_len);
}

} // namespace

// K = 2: two admitted, the third refused, one finishes, the next admitted;
// the peak is the limit, refusals are not in progress.
static void admission_limits_logins_in_progress(void **)
{
    bench::Admission a(2);
    assert_true(a.admit());
    assert_true(a.admit());
    assert_false(a.admit());
    assert_int_equal(a.in_progress(), 2);
    a.finish();
    assert_true(a.admit());
    assert_false(a.admit());
    assert_int_equal(a.peak(), 2);
    assert_int_equal(a.admitted(), 3);
    assert_int_equal(a.refused(), 2);
    a.finish();
    a.finish();
    a.finish(); // nothing in progress: ignored
    assert_int_equal(a.in_progress(), 0);
    assert_true(a.admit());
    assert_int_equal(bench::Admission(0).limit(), 1);
    assert_int_equal(bench::refusal_detail("0301"), 1);
    assert_int_equal(bench::refusal_detail("0302"), 2);
    assert_int_equal(bench::refusal_detail("0300"), -1);
    assert_int_equal(bench::refusal_detail("301"), -1);
}

// iscsistart's Login with its default keys gets in: security, then
// operational, then full feature with the TSIH and the negotiated values.
static void login_reaches_full_feature(void **)
{
    LoginConfig c = config();
    Login l(c, ISID, 1);
    bench::Responder r(TARGET, 0x1234);
    bench::Reply rep;
    assert_true(exchange(l, r, &rep) == Login::Outcome::CONTINUE);
    assert_false(rep.done);
    assert_true(exchange(l, r, &rep) == Login::Outcome::DONE);
    assert_true(rep.done);
    assert_false(rep.close);
    const Negotiated &n = l.negotiated();
    assert_int_equal(n.tsih, 0x1234);
    assert_int_equal(n.tpgt, 1);
    assert_int_equal(n.max_xmit_dlength, 262144);
    assert_int_equal(n.max_burst, c.op.max_burst);
    assert_int_equal(n.first_burst, c.op.first_burst);
    assert_true(n.immediate_data);
    assert_false(n.initial_r2t);
    assert_false(n.header_digest);
}

// Above the limit: 0301 or 0302 to the first request, in its stage, and
// iscsistart's Login takes it as a busy target to retry later.
static void refusal_is_a_retryable_busy_target(void **)
{
    for (uint8_t det : {1, 2}) {
        LoginConfig c = config();
        Login l(c, ISID, 1);
        auto req = l.next_request();
        bench::Reply rep = bench::Responder::refusal(req.bhs.data(), det);
        assert_true(rep.close);
        assert_int_equal(rep.bytes.size(), pdu::BHS_LEN);
        auto rsp = pdu::decode_login_response(rep.bytes.data());
        assert_int_equal(rsp.status_class, 3);
        assert_int_equal(rsp.status_detail, det);
        assert_false(rsp.transit);
        assert_memory_equal(rsp.isid.data(), ISID.data(), 6);
        try {
            l.on_response(rsp, nullptr, 0);
            fail();
        } catch (const LoginStatusError &e) {
            assert_true(e.retryable());
            assert_true(e.target_busy());
            assert_int_equal(e.code(), ISCSI_ERR_LOGIN);
        }
    }
}

// Wrong target, CHAP only, junk: an initiator error (class 2) and close,
// which iscsistart's Login reports as not retryable.
static void bad_requests_get_initiator_errors(void **)
{
    LoginConfig c = config();
    c.target_name = "iqn.2026-11.test:other";
    Login l(c, ISID, 1);
    bench::Responder r(TARGET, 1);
    bench::Reply rep;
    EXPECT_ERROR(exchange(l, r, &rep), ISCSI_ERR_FATAL_LOGIN, "target not found (status 0203)");
    assert_true(rep.close);

    LoginConfig m = config();
    m.auth.username = "u";
    m.auth.password = Secret("0123456789ab");
    m.auth.password_in = Secret("ba9876543210");
    Login lm(m, ISID, 1); // mutual CHAP: AuthMethod=CHAP only
    bench::Responder rm(TARGET, 1);
    EXPECT_ERROR(exchange(lm, rm, &rep), ISCSI_ERR_LOGIN_AUTH_FAILED, "authentication failure (status 0201)");

    bench::Responder rj(TARGET, 1);
    uint8_t junk[pdu::BHS_LEN] = {0x01}; // a NOP-Out, not a login
    rep = rj.on_request(junk, nullptr, 0);
    assert_true(rep.close);
    assert_int_equal(rep.bytes[36], 2);
    uint8_t bad_keys[] = {'n', 'o', 'e', 'q', 0};
    LoginConfig ok = config();
    Login lj(ok, ISID, 1);
    auto req = lj.next_request();
    rep = bench::Responder(TARGET, 1).on_request(req.bhs.data(), bad_keys, sizeof bad_keys);
    assert_true(rep.close);
    assert_int_equal(rep.bytes[36], 2);
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(admission_limits_logins_in_progress),
        cmocka_unit_test(login_reaches_full_feature),
        cmocka_unit_test(refusal_is_a_retryable_busy_target),
        cmocka_unit_test(bad_requests_get_initiator_errors),
    };
    return cmocka_run_group_tests_name("refusing_target", tests, nullptr, nullptr);
}
