// The paths of a boot (iscsistart/paths/plan.hpp): repeats, when the boot
// goes on, the multipath defaults and the report a path's process sends.
#include "test_util.hpp"

#include "iscsistart/paths/plan.hpp"

using namespace isr;
using namespace isr::paths;

static Path path(const char *target, const char *host, uint16_t port = 3260, int64_t lun = -1)
{
    Path p;
    p.cfg.login.target_name = target;
    p.cfg.portal = {host, port};
    p.cfg.session.lun = lun;
    p.label = std::string("target ") + target;
    p.tag = portal_text(p.cfg.portal.host, p.cfg.portal.port);
    return p;
}

static void tags_and_groups(void **)
{
    assert_string_equal(portal_text("10.0.0.1", 3260).c_str(), "10.0.0.1:3260");
    assert_string_equal(portal_text("fd00::1", 3261).c_str(), "[fd00::1]:3261");
    // the same target through two portals is one device; another LUN or
    // another target is not
    assert_true(group_of(path("iqn.x:a", "h1").cfg) == group_of(path("iqn.x:a", "h2").cfg));
    assert_false(group_of(path("iqn.x:a", "h1", 3260, 1).cfg) == group_of(path("iqn.x:a", "h1", 3260, 2).cfg));
    assert_false(group_of(path("iqn.x:a", "h1").cfg) == group_of(path("iqn.x:b", "h1").cfg));
}

static void repeats_dropped(void **)
{
    std::vector<Path> v{path("iqn.x:a", "h1"), path("iqn.x:a", "h2"), path("iqn.x:a", "h1"),
                        path("iqn.x:a", "h1", 3261), path("iqn.x:b", "h1")};
    auto dropped = drop_repeats(v);
    assert_int_equal(dropped.size(), 1);
    assert_int_equal(v.size(), 4);
    assert_string_equal(v[1].cfg.portal.host.c_str(), "h2");
    assert_int_equal(v[2].cfg.portal.port, 3261);
    assert_int_equal(paths_to_same(v, 0), 3);
    assert_int_equal(paths_to_same(v, 3), 1);
}

static void when_the_boot_goes_on(void **)
{
    std::vector<Path> v{path("iqn.x:root", "h1"), path("iqn.x:root", "h2"), path("iqn.x:data", "h1")};
    using S = State;
    // the root's first path up: its second may go on in the background,
    // but the other device still holds the boot
    assert_false(can_go_on(v, {S::UP, S::RUNNING, S::RUNNING}));
    assert_true(can_go_on(v, {S::UP, S::RUNNING, S::UP}));
    assert_true(can_go_on(v, {S::RUNNING, S::UP, S::FAILED})); // the other failed: not waited for
    // a path that failed does not serve its device; all failed ends the wait
    assert_false(can_go_on(v, {S::FAILED, S::RUNNING, S::UP}));
    assert_true(can_go_on(v, {S::FAILED, S::FAILED, S::FAILED}));
    assert_true(can_go_on({}, {}));
}

static void multipath_defaults(void **)
{
    std::vector<Path> v{path("iqn.x:root", "h1"), path("iqn.x:root", "h2"), path("iqn.x:alone", "h1")};
    v[1].cfg.session.replacement_timeout_s = 30; // the user's choice stays
    assert_int_equal(apply_multipath_defaults(v), 2);
    assert_int_equal(v[0].cfg.session.replacement_timeout_s, MULTIPATH_REPLACEMENT_TIMEOUT_S);
    assert_int_equal(v[0].cfg.session.noop_out_interval_s, 5);
    assert_int_equal(v[0].cfg.session.noop_out_timeout_s, 5);
    assert_int_equal(v[1].cfg.session.replacement_timeout_s, 30);
    assert_int_equal(v[1].cfg.session.noop_out_interval_s, 5);
    // a single path keeps the single-path defaults
    assert_int_equal(v[2].cfg.session.replacement_timeout_s, 86400);
    assert_int_equal(v[2].cfg.session.noop_out_interval_s, 0);
}

static void reports(void **)
{
    std::string t = format_report(0, {"/dev/sdb", "/dev/sdc"});
    assert_string_equal(t.c_str(), "disk /dev/sdb\ndisk /dev/sdc\nrc 0\n");
    Report r = parse_report(t);
    assert_true(r.complete);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.disks.size(), 2);
    assert_string_equal(r.disks[1].c_str(), "/dev/sdc");
    r = parse_report(format_report(19, {}));
    assert_true(r.complete);
    assert_int_equal(r.rc, 19);
    // a process that died half-way: no rc line, or a cut line
    assert_false(parse_report("disk /dev/sdb\n").complete);
    assert_false(parse_report("disk /dev/sdb\nrc 1").complete);
    // junk is ignored; a bad rc is not an rc
    r = parse_report("hello\ndisk sdb\ndisk /dev/a b\nrc x\nrc 999\nrc -1\n");
    assert_false(r.complete);
    assert_true(r.disks.empty());
    assert_false(parse_report("").complete);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(tags_and_groups),    cmocka_unit_test(repeats_dropped), cmocka_unit_test(when_the_boot_goes_on),
        cmocka_unit_test(multipath_defaults), cmocka_unit_test(reports),
    };
    return cmocka_run_group_tests_name("paths", tests, nullptr, nullptr);
}
