// Existing kernel sessions: reading fake sysfs trees (laid out as
// scsi_transport_iscsi makes them), matching them against a login's target
// and portal, and the exit status of a run over several targets.
#include "test_util.hpp"

#include "../../iscsistart/kernel/sessions.hpp"
#include "../../iscsistart/session_exists.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace isr;
using kernel::KernelSession;
using kernel::SessionKey;
using kernel::SessionState;

namespace {

const char *const TGT = "iqn.2026-11.test.iscsiroot:root";

std::string g_root;

void mkdirs(const std::string &path)
{
    for (std::size_t at = 1;; ++at) {
        at = path.find('/', at);
        mkdir(path.substr(0, at).c_str(), 0755);
        if (at == std::string::npos)
            return;
    }
}

void put(const std::string &path, const char *text)
{
    if (!text)
        return;
    FILE *f = fopen(path.c_str(), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

struct Fake {
    unsigned sid = 1, host = 2;
    const char *target = "iqn.2026-11.test.iscsiroot:root\n";
    const char *tpgt = "1\n";
    const char *state = "LOGGED_IN\n";
    const char *address = "10.77.0.1\n";
    const char *port = "3260\n";
};

// The kernel's layout: class/iscsi_session/sessionN is a link into
// devices/.../hostH/sessionN/iscsi_session/sessionN, whose `device` link
// points back at .../hostH/sessionN; the connection's attributes are in
// class/iscsi_connection/connectionN:0. A null field: no such file.
void add(const Fake &f)
{
    const std::string n = std::to_string(f.sid);
    const std::string dev = g_root + "/devices/platform/host" + std::to_string(f.host) + "/session" + n;
    const std::string cls = dev + "/iscsi_session/session" + n;
    mkdirs(cls);
    mkdirs(g_root + "/class/iscsi_session");
    assert_int_equal(symlink(cls.c_str(), (g_root + "/class/iscsi_session/session" + n).c_str()), 0);
    assert_int_equal(symlink(dev.c_str(), (cls + "/device").c_str()), 0);
    put(cls + "/targetname", f.target);
    put(cls + "/tpgt", f.tpgt);
    put(cls + "/state", f.state);
    const std::string conn = g_root + "/class/iscsi_connection/connection" + n + ":0";
    mkdirs(conn);
    put(conn + "/persistent_address", f.address);
    put(conn + "/persistent_port", f.port);
}

int setup(void **)
{
    char tmpl[] = "/tmp/isr-sessions.XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    g_root = tmpl;
    return 0;
}

int teardown(void **)
{
    std::string cmd = "rm -rf '" + g_root + "'";
    return system(cmd.c_str()) == 0 ? 0 : -1;
}

KernelSession session(const char *target, const char *addr, int port, int tpgt = 1)
{
    KernelSession s;
    s.sid = 1;
    s.target_name = target;
    s.persistent_address = addr;
    s.persistent_port = port;
    s.tpgt = tpgt;
    s.state = SessionState::LOGGED_IN;
    return s;
}

void test_read_two_sessions(void **)
{
    Fake b;
    b.sid = 10; // sid order is numeric, not the directory's
    b.host = 11;
    b.target = "iqn.2026-11.test.iscsiroot:data\n";
    b.state = "FAILED\n";
    b.address = "fd00:77::1\n";
    b.port = "3261\n";
    b.tpgt = "7\n";
    add(b);
    add(Fake{});
    auto all = kernel::read_sessions(g_root);
    assert_int_equal(all.size(), 2);
    assert_int_equal(all[0].sid, 1);
    assert_int_equal(all[0].host_no, 2);
    assert_string_equal(all[0].target_name.c_str(), TGT);
    assert_int_equal(all[0].tpgt, 1);
    assert_int_equal((int)all[0].state, (int)SessionState::LOGGED_IN);
    assert_string_equal(all[0].persistent_address.c_str(), "10.77.0.1");
    assert_int_equal(all[0].persistent_port, 3260);
    assert_int_equal(all[1].sid, 10);
    assert_int_equal(all[1].host_no, 11);
    assert_string_equal(all[1].target_name.c_str(), "iqn.2026-11.test.iscsiroot:data");
    assert_int_equal(all[1].tpgt, 7);
    assert_int_equal((int)all[1].state, (int)SessionState::FAILED);
    assert_string_equal(all[1].persistent_address.c_str(), "fd00:77::1");
    assert_int_equal(all[1].persistent_port, 3261);
}

void test_read_states(void **)
{
    const struct {
        const char *text;
        SessionState want;
    } cases[] = {{"LOGGED_IN\n", SessionState::LOGGED_IN},
                 {"FAILED\n", SessionState::FAILED},
                 {"FREE\n", SessionState::FREE},
                 {"BOGUS\n", SessionState::UNKNOWN},
                 {"", SessionState::UNKNOWN},
                 {nullptr, SessionState::UNKNOWN}};
    unsigned sid = 1;
    for (const auto &c : cases) {
        Fake f;
        f.sid = sid++;
        f.state = c.text;
        add(f);
    }
    auto all = kernel::read_sessions(g_root);
    assert_int_equal(all.size(), 6);
    for (std::size_t i = 0; i < all.size(); ++i)
        assert_int_equal((int)all[i].state, (int)cases[i].want);
    assert_string_equal(kernel::state_name(SessionState::FREE), "FREE");
    assert_string_equal(kernel::state_name(SessionState::UNKNOWN), "UNKNOWN");
}

// No iscsi module: no class directory at all.
void test_read_no_class_dir(void **)
{
    assert_true(kernel::read_sessions(g_root).empty());
    assert_true(kernel::read_sessions(g_root + "/does-not-exist").empty());
}

// Files missing, "(null)" (a parameter the kernel has not been given yet),
// junk numbers: the fields are unknown, and such a session matches nothing.
void test_read_missing_files(void **)
{
    Fake f;
    f.target = "(null)\n";
    f.tpgt = nullptr;
    f.address = nullptr;
    f.port = "port\n";
    add(f);
    mkdirs(g_root + "/class/iscsi_session/sessionx"); // not a session name
    auto all = kernel::read_sessions(g_root);
    assert_int_equal(all.size(), 1);
    assert_true(all[0].target_name.empty());
    assert_int_equal(all[0].tpgt, -1);
    assert_true(all[0].persistent_address.empty());
    assert_int_equal(all[0].persistent_port, -1);
    assert_null(kernel::find_session(all, SessionKey{TGT, "10.77.0.1", 3260, 1}));
}

void test_match_from_tree(void **)
{
    add(Fake{});
    auto all = kernel::read_sessions(g_root);
    const KernelSession *m = kernel::find_session(all, SessionKey{TGT, "10.77.0.1", 3260, 1});
    assert_non_null(m);
    assert_int_equal(m->sid, 1);
    assert_null(kernel::find_session(all, SessionKey{"iqn.2026-11.test.iscsiroot:other", "10.77.0.1", 3260, 1}));
    assert_null(kernel::find_session(all, SessionKey{TGT, "10.77.0.1", 3261, 1}));
    assert_null(kernel::find_session(all, SessionKey{TGT, "10.77.0.9", 3260, 1}));
}

void test_match_fields(void **)
{
    auto s = session(TGT, "10.0.0.1", 3260);
    assert_true(kernel::session_matches(s, {TGT, "10.0.0.1", 3260, 1}));
    assert_false(kernel::session_matches(s, {"iqn.2026-11.test.iscsiroot:root2", "10.0.0.1", 3260, 1}));
    assert_false(kernel::session_matches(s, {TGT, "10.0.0.1", 3261, 1}));
    assert_false(kernel::session_matches(s, {TGT, "10.0.0.2", 3260, 1}));
    // the state does not matter for the match (the caller decides)
    s.state = SessionState::FAILED;
    assert_true(kernel::session_matches(s, {TGT, "10.0.0.1", 3260, 1}));
}

// TPGT only counts when both sides know it.
void test_match_tpgt(void **)
{
    auto s = session(TGT, "10.0.0.1", 3260, 1);
    assert_false(kernel::session_matches(s, {TGT, "10.0.0.1", 3260, 2}));
    assert_true(kernel::session_matches(s, {TGT, "10.0.0.1", 3260, -1}));
    s.tpgt = -1;
    assert_true(kernel::session_matches(s, {TGT, "10.0.0.1", 3260, 2}));
    s.tpgt = 0; // 0 is a real tag (RFC 7143: 0..65535)
    assert_false(kernel::session_matches(s, {TGT, "10.0.0.1", 3260, 1}));
}

void test_same_address(void **)
{
    // IPv6 text forms of one address
    assert_true(kernel::same_address("fd00::1", "fd00:0::1"));
    assert_true(kernel::same_address("fd00::1", "FD00:0000:0000:0000:0000:0000:0000:0001"));
    assert_true(kernel::same_address("[fd00::1]", "fd00::1"));
    assert_false(kernel::same_address("fd00::1", "fd00::2"));
    // an IPv4-mapped IPv6 address is that IPv4 address (one portal: a
    // second session to it would be a second block device for the LUN)
    assert_true(kernel::same_address("10.0.0.1", "::ffff:10.0.0.1"));
    assert_true(kernel::same_address("[::ffff:10.0.0.1]", "10.0.0.1"));
    assert_false(kernel::same_address("10.0.0.1", "::10.0.0.1")); // IPv4-compatible: another address
    assert_false(kernel::same_address("10.0.0.1", "10.0.0.10"));
    // host names: ASCII case does not count; a name is not its address
    assert_true(kernel::same_address("Target.Example", "target.example"));
    assert_false(kernel::same_address("target.example", "10.0.0.1"));
    assert_false(kernel::same_address("10.0.0.1", "010.0.0.1")); // not an IPv4 text for inet_pton
    // unknown matches nothing
    assert_false(kernel::same_address("", ""));
    assert_false(kernel::same_address("10.0.0.1", ""));
}

void test_find_first(void **)
{
    std::vector<KernelSession> all{session(TGT, "10.0.0.2", 3260), session(TGT, "10.0.0.1", 3260),
                                   session(TGT, "10.0.0.1", 3260)};
    all[1].sid = 4;
    all[2].sid = 5;
    const KernelSession *m = kernel::find_session(all, {TGT, "10.0.0.1", 3260, -1});
    assert_non_null(m);
    assert_int_equal(m->sid, 4);
}

void test_tally_status(void **)
{
    auto st = [](int logged_in, int existed, int first_error) {
        LoginTally t;
        t.logged_in = logged_in;
        t.existed = existed;
        t.first_error = first_error;
        return tally_status(t);
    };
    assert_int_equal(st(0, 0, 0), 0);                            // nothing to do
    assert_int_equal(st(1, 0, 0), 0);                            // logged in
    assert_int_equal(st(2, 0, 0), 0);
    assert_int_equal(st(0, 1, 0), ISCSI_ERR_SESS_EXISTS);        // a rerun
    assert_int_equal(st(1, 1, 0), ISCSI_ERR_SESS_EXISTS);        // one new, one there already
    assert_int_equal(st(0, 0, ISCSI_ERR_TRANS), ISCSI_ERR_TRANS); // every target failed
    assert_int_equal(st(1, 0, ISCSI_ERR_TRANS), 0);              // an extra target failed, as before
    assert_int_equal(st(0, 1, ISCSI_ERR_TRANS), ISCSI_ERR_SESS_EXISTS); // the rerun of that boot
    // a session there but not logged in is a failure with code 15, no disk
    assert_int_equal(st(0, 0, ISCSI_ERR_SESS_EXISTS), ISCSI_ERR_SESS_EXISTS);
    assert_int_equal(ISCSI_ERR_SESS_EXISTS, 15); // open-iscsi's number
}

void test_tally_error(void **)
{
    LoginTally t;
    tally_error(t, Error(ISCSI_ERR_LOGIN_AUTH_FAILED, "auth"));
    tally_error(t, Error(ISCSI_ERR_TRANS, "later failure does not replace the first"));
    assert_int_equal(t.first_error, ISCSI_ERR_LOGIN_AUTH_FAILED);
    assert_int_equal(t.existed, 0);
    tally_error(t, SessionExists(3, {"/dev/sda"}));
    assert_int_equal(t.existed, 1);
    assert_int_equal(tally_status(t), ISCSI_ERR_SESS_EXISTS);
    // the error text is open-iscsi's
    assert_string_equal(SessionExists(3, {}).what(), "initiator reported error (15 - session exists)");
    assert_int_equal(SessionExists(3, {}).code(), 15);
    assert_false(print_existing_disks(Error(ISCSI_ERR_LOGIN, "x")));
}

} // namespace

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_two_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_no_class_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_missing_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match_from_tree, setup, teardown),
        cmocka_unit_test(test_match_fields),
        cmocka_unit_test(test_match_tpgt),
        cmocka_unit_test(test_same_address),
        cmocka_unit_test(test_find_first),
        cmocka_unit_test(test_tally_status),
        cmocka_unit_test(test_tally_error),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
