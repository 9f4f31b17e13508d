// Operational key results (RFC 7143 6.2, 13).
#include "test_util.hpp"

#include "../../iscsistart/login/negotiate.hpp"

using namespace isr;

static void offer_has_open_iscsi_defaults(void **)
{
    OperationalParams p;
    auto k = negotiate::offer(p);
    assert_string_equal(text::find(k, "ImmediateData")->c_str(), "Yes");
    assert_string_equal(text::find(k, "InitialR2T")->c_str(), "No");
    assert_string_equal(text::find(k, "MaxRecvDataSegmentLength")->c_str(), "262144");
    assert_string_equal(text::find(k, "MaxBurstLength")->c_str(), "16776192");
    assert_string_equal(text::find(k, "FirstBurstLength")->c_str(), "262144");
    assert_string_equal(text::find(k, "HeaderDigest")->c_str(), "None");
    assert_string_equal(text::find(k, "ErrorRecoveryLevel")->c_str(), "0");
}

static void results_follow_the_rules(void **)
{
    OperationalParams p;
    Negotiated n;
    assert_false(negotiate::apply("InitialR2T", "Yes", p, true, n).has_value()); // OR: Yes wins
    assert_true(n.initial_r2t);
    negotiate::apply("ImmediateData", "No", p, true, n); // AND
    assert_false(n.immediate_data);
    negotiate::apply("MaxBurstLength", "262144", p, true, n); // min
    assert_int_equal(n.max_burst, 262144);
    negotiate::apply("FirstBurstLength", "65536", p, true, n);
    assert_int_equal(n.first_burst, 65536);
    negotiate::apply("DefaultTime2Wait", "5", p, true, n); // max
    assert_int_equal(n.default_time2wait, 5);
    negotiate::apply("MaxRecvDataSegmentLength", "65536", p, true, n); // declarative
    assert_int_equal(n.max_xmit_dlength, 65536);
    negotiate::apply("TargetPortalGroupTag", "3", p, true, n);
    assert_int_equal(n.tpgt, 3);
    negotiate::apply("HeaderDigest", "None", p, true, n);
    assert_false(n.header_digest);
}

static void answers_that_break_the_rules_fail(void **)
{
    OperationalParams p;
    Negotiated n;
    EXPECT_ERROR(negotiate::apply("MaxBurstLength", "16777215", p, true, n), ISCSI_ERR_LOGIN,
                 "MaxBurstLength: target answered 16777215");
    p.initial_r2t = true;
    EXPECT_ERROR(negotiate::apply("InitialR2T", "No", p, true, n), ISCSI_ERR_LOGIN, "InitialR2T");
    EXPECT_ERROR(negotiate::apply("ImmediateData", "Maybe", p, true, n), ISCSI_ERR_LOGIN, "expected Yes or No");
    EXPECT_ERROR(negotiate::apply("MaxRecvDataSegmentLength", "100", p, true, n), ISCSI_ERR_LOGIN, "outside 512");
    EXPECT_ERROR(negotiate::apply("FirstBurstLength", "99999999999", p, true, n), ISCSI_ERR_LOGIN, "outside");
    EXPECT_ERROR(negotiate::apply("HeaderDigest", "CRC32C", p, true, n), ISCSI_ERR_LOGIN, "did not offer");
    EXPECT_ERROR(negotiate::apply("DataDigest", "MD5", p, true, n), ISCSI_ERR_LOGIN, "unknown digest");
}

static void digest_when_offered(void **)
{
    OperationalParams p;
    p.header_digest = "CRC32C,None";
    Negotiated n;
    negotiate::apply("HeaderDigest", "CRC32C", p, true, n);
    assert_true(n.header_digest);
    p.data_digest = "CRC32C";
    EXPECT_ERROR(negotiate::apply("DataDigest", "Reject", p, true, n), ISCSI_ERR_LOGIN, "None was not allowed");
}

static void target_started_keys_get_answers(void **)
{
    OperationalParams p;
    Negotiated n;
    auto a = negotiate::apply("MaxOutstandingR2T", "4", p, false, n);
    assert_true(a.has_value());
    assert_string_equal(a->c_str(), "1");
    a = negotiate::apply("DataDigest", "CRC32C,None", p, false, n);
    assert_string_equal(a->c_str(), "None");
    a = negotiate::apply("HeaderDigest", "CRC32C", p, false, n);
    assert_string_equal(a->c_str(), "Reject");
    a = negotiate::apply("X-com.example.Foo", "1", p, false, n);
    assert_string_equal(a->c_str(), "NotUnderstood");
    assert_false(negotiate::apply("TargetAlias", "disk", p, false, n).has_value());
    assert_string_equal(n.target_alias.c_str(), "disk");
}

// RFC 7143 13.25: IFMarker, OFMarker, IFMarkInt, OFMarkInt are obsolete.
// A responder answers the first two Reject (SHOULD; No is allowed, never
// NotUnderstood) and the last two Reject (MUST). We answer Reject to all
// four, whatever value the target proposes, and never offer them.
static void obsolete_marker_keys_are_rejected(void **)
{
    OperationalParams p;
    const char *cases[][2] = {
        {"IFMarker", "Yes"},       {"IFMarker", "No"},           {"OFMarker", "Yes"}, {"OFMarker", "No"},
        {"IFMarkInt", "2048~8192"}, {"OFMarkInt", "2048~8192"}, {"IFMarkInt", "1"},  {"OFMarkInt", "65535"},
    };
    for (auto &c : cases) {
        Negotiated n;
        auto a = negotiate::apply(c[0], c[1], p, false, n);
        assert_true(a.has_value());
        if (*a != "Reject")
            print_error("%s=%s answered %s\n", c[0], c[1], a->c_str());
        assert_string_equal(a->c_str(), "Reject");
    }
    auto k = negotiate::offer(p);
    for (const char *key : {"IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt"})
        assert_null(text::find(k, key));
}

static void finish_checks_bursts(void **)
{
    Negotiated n;
    n.first_burst = 300000;
    n.max_burst = 262144;
    EXPECT_ERROR(negotiate::finish(n), ISCSI_ERR_LOGIN, "FirstBurstLength 300000 exceeds");
    n.first_burst = 65536;
    negotiate::finish(n);
}

static void numbers(void **)
{
    assert_int_equal(*negotiate::parse_number("0"), 0);
    assert_int_equal(*negotiate::parse_number("4294967295"), 4294967295u);
    assert_false(negotiate::parse_number("4294967296").has_value());
    assert_false(negotiate::parse_number("-1").has_value());
    assert_false(negotiate::parse_number("12a").has_value());
    assert_false(negotiate::parse_number("").has_value());
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(offer_has_open_iscsi_defaults), cmocka_unit_test(results_follow_the_rules),
        cmocka_unit_test(answers_that_break_the_rules_fail), cmocka_unit_test(digest_when_offered),
        cmocka_unit_test(target_started_keys_get_answers), cmocka_unit_test(finish_checks_bursts),
        cmocka_unit_test(numbers), cmocka_unit_test(obsolete_marker_keys_are_rejected),
    };
    return cmocka_run_group_tests_name("negotiate", tests, nullptr, nullptr);
}
