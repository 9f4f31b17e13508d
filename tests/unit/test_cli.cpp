// iscsistart's command line: open-iscsi compatible options, -P names,
// and the exit code of every kind of bad input.
#include "test_util.hpp"

#include "../../iscsistart/cli/options.hpp"
#include "util/backoff.hpp"

#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <unistd.h>
#include <vector>

using namespace isr;

namespace {

const char *NO_FILE = "/nonexistent/initiatorname.iscsi";

cli::Options run(std::initializer_list<const char *> args, const char *iname_file = NO_FILE)
{
    std::vector<std::string> store{"iscsistart"};
    for (auto a : args)
        store.emplace_back(a);
    std::vector<char *> argv;
    for (auto &s : store)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    return cli::parse((int)store.size(), argv.data(), iname_file);
}

// As run(), but the argv strings stay in `store` for the test to look at
// (parse overwrites secret values in place); store[0] is "iscsistart".
void run_keep(std::vector<std::string> &store, std::initializer_list<const char *> args)
{
    store.assign({"iscsistart"});
    for (auto a : args)
        store.emplace_back(a);
    std::vector<char *> argv;
    for (auto &s : store)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    cli::parse((int)store.size(), argv.data(), NO_FILE);
}

std::string write_temp(const char *text)
{
    char path[] = "/tmp/isr-conf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    return path;
}

#define BASE "-i", "iqn.2026-11.test:init", "-t", "iqn.2026-11.test:disk", "-a", "10.0.0.1"

} // namespace

static void minimal_and_defaults(void **)
{
    auto o = run({BASE});
    assert_true(o.action == cli::Action::LOGIN);
    assert_string_equal(o.login.initiator_name.c_str(), "iqn.2026-11.test:init");
    assert_string_equal(o.portal.host.c_str(), "10.0.0.1");
    assert_int_equal(o.portal.port, 3260);
    assert_int_equal(o.login.tpgt, -1);
    assert_false(o.login.auth.chap());
    assert_int_equal(o.session.noop_out_interval_s, 0);
    assert_int_equal(o.session.noop_out_timeout_s, 0);
    assert_int_equal(o.session.replacement_timeout_s, 86400);
    assert_int_equal(o.login.auth.chap_algs.size(), 1);
    assert_int_equal(o.login.auth.chap_algs[0], 5);
}

static void long_options_and_chap(void **)
{
    auto o = run({"--initiatorname=iqn.2026-11.test:init", "--targetname", "iqn.2026-11.test:disk",
                  "--address=fd00::1", "--port=3261", "--tgpt=2", "--username=alice", "--password=secret-1",
                  "--username_in=tgt", "--password_in=secret-2", "--debug=3"});
    assert_string_equal(o.portal.host.c_str(), "fd00::1");
    assert_int_equal(o.portal.port, 3261);
    assert_int_equal(o.login.tpgt, 2);
    assert_true(o.login.auth.mutual());
    assert_int_equal(o.debug, 3);
}

static void several_addresses(void **)
{
    // -a again: more paths to the same target, all on -p's port
    auto o = run({BASE, "-a", "10.0.1.1", "-p", "3261", "-a", "fd00::1"});
    assert_string_equal(o.portal.host.c_str(), "10.0.0.1");
    assert_int_equal(o.portal.port, 3261);
    assert_int_equal(o.more_portals.size(), 2);
    assert_string_equal(o.more_portals[0].host.c_str(), "10.0.1.1");
    assert_int_equal(o.more_portals[0].port, 3261);
    assert_string_equal(o.more_portals[1].host.c_str(), "fd00::1");
    assert_true(run({BASE}).more_portals.empty());
    EXPECT_ERROR(run({BASE, "-a", "10.0.1.1", "-a", "10.0.0.1"}), ISCSI_ERR_INVAL,
                 "address: 10.0.0.1 given twice");
    // iface.net_ifacename binds the connection
    o = run({BASE, "-P", "iface.net_ifacename=eth1"});
    assert_string_equal(cli::session_config(o).netdev.c_str(), "eth1");
    EXPECT_ERROR(run({BASE, "-P", "iface.net_ifacename=averyveryverylongname"}), ISCSI_ERR_INVAL,
                 "iface.net_ifacename: 'averyveryverylongname' is not an interface name");
}

static void params(void **)
{
    auto o = run({BASE, "-P", "node.session.auth.chap_algs=SHA3-256,SHA256,SHA1,MD5", "-P",
                  "node.session.initial_login_retry_max=5", "-P", "node.conn[0].timeo.noop_out_interval=5", "-P",
                  "node.conn[0].iscsi.HeaderDigest=CRC32C,None", "-P", "node.session.scan=manual", "-P",
                  "node.session.iscsi.ImmediateData=No"});
    assert_int_equal(o.login.auth.chap_algs.size(), 4);
    assert_int_equal(o.login.auth.chap_algs[0], 8);
    assert_int_equal(o.session.initial_login_retry_max, 5);
    assert_int_equal(o.session.noop_out_interval_s, 5);
    assert_string_equal(o.login.op.header_digest.c_str(), "CRC32C,None");
    assert_false(o.session.scan);
    assert_false(o.login.op.immediate_data);
}

static void help_and_version(void **)
{
    assert_true(run({"-h"}).action == cli::Action::HELP);
    assert_true(run({"--version"}).action == cli::Action::VERSION);
    assert_true(run({"-f"}).action == cli::Action::FW_PRINT);
    auto f = run({"-f", "--show-secrets", "--ibft=/tmp/table.bin"});
    assert_true(f.show_secrets);
    assert_string_equal(f.ibft_path.c_str(), "/tmp/table.bin");
    assert_true(run({"-b", "-P", "node.session.initial_login_retry_max=3"}).action == cli::Action::FW_CONNECT);
    assert_true(run({"--fwparam_network"}).action == cli::Action::FW_NETWORK);
    assert_non_null(strstr(cli::usage_text(), "--initiatorname"));
}

static void initiator_name_from_file(void **)
{
    char path[] = "/tmp/isr-iname-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "## comment\nInitiatorName=iqn.1993-08.org.debian:01:abc\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (int)sizeof text - 1);
    close(fd);
    auto o = run({"-t", "iqn.2026-11.test:disk", "-a", "h"}, path);
    assert_string_equal(o.login.initiator_name.c_str(), "iqn.1993-08.org.debian:01:abc");
    unlink(path);
}

static void bad_input_exit_codes(void **)
{
    EXPECT_ERROR(run({"-i", "iqn.2026-11.test:init", "-a", "10.0.0.1"}), ISCSI_ERR_INVAL, "targetname: not set");
    EXPECT_ERROR(run({"-i", "iqn.2026-11.test:init", "-t", "iqn.2026-11.test:disk"}), ISCSI_ERR_INVAL,
                 "address: not set");
    EXPECT_ERROR(run({"-t", "iqn.2026-11.test:disk", "-a", "h"}), ISCSI_ERR_INVAL, "initiatorname: not set");
    EXPECT_ERROR(run({BASE, "-t", "iqn.26-11.x"}), ISCSI_ERR_INVAL, "targetname: malformed IQN");
    EXPECT_ERROR(run({BASE, "-t", "iqn.2026-13.example:x"}), ISCSI_ERR_INVAL, "malformed IQN");
    EXPECT_ERROR(run({BASE, "-t", "iqn.2026-11.example:has space"}), ISCSI_ERR_INVAL, "invalid character ' '");
    EXPECT_ERROR(run({BASE, "-i", "disk1"}), ISCSI_ERR_INVAL, "initiatorname: 'disk1' is not an iSCSI name");
    EXPECT_ERROR(run({BASE, "-t", "eui.12345"}), ISCSI_ERR_INVAL, "malformed EUI");
    run({BASE, "-t", "eui.0123456789ABCDEF"});
    run({BASE, "-t", "naa.52004567BA64678D"});
    std::string long_name = "iqn.2026-11.test:" + std::string(210, 'a');
    EXPECT_ERROR(run({BASE, "-t", long_name.c_str()}), ISCSI_ERR_INVAL, "longer than 223");
    std::string long_secret(256, 's');
    EXPECT_ERROR(run({BASE, "-u", "a", "-w", long_secret.c_str()}), ISCSI_ERR_INVAL,
                 "password: too long (256 bytes, at most 255)");
    EXPECT_ERROR(run({BASE, "-P", "node.session.bogus=1"}), ISCSI_ERR_INVAL,
                 "--param node.session.bogus: unknown parameter name");
    EXPECT_ERROR(run({BASE, "-P", "node.session.scan"}), ISCSI_ERR_INVAL, "Missing value");
    EXPECT_ERROR(run({BASE, "-P", "node.session.scan="}), ISCSI_ERR_INVAL, "Missing value");
    EXPECT_ERROR(run({BASE, "-P", "node.conn[0].iscsi.HeaderDigest=MD5"}), ISCSI_ERR_INVAL, "unknown digest");
    EXPECT_ERROR(run({BASE, "-P", "node.conn[0].iscsi.HeaderDigest=None,"}), ISCSI_ERR_INVAL, "unknown digest ''");
    EXPECT_ERROR(run({BASE, "-P", "node.conn[0].iscsi.DataDigest=,CRC32C"}), ISCSI_ERR_INVAL, "unknown digest ''");
    EXPECT_ERROR(run({BASE, "-p", "70000"}), ISCSI_ERR_INVAL, "port: '70000' is not a number from 1 to 65535");
    EXPECT_ERROR(run({BASE, "-g", "x"}), ISCSI_ERR_INVAL, "tgpt");
    EXPECT_ERROR(run({BASE, "-Z"}), ISCSI_ERR_INVAL, "unknown option -Z");
    EXPECT_ERROR(run({BASE, "--bogus"}), ISCSI_ERR_INVAL, "unknown option --bogus");
    EXPECT_ERROR(run({BASE, "-p"}), ISCSI_ERR_INVAL, "missing value");
    EXPECT_ERROR(run({BASE, "stray"}), ISCSI_ERR_INVAL, "unexpected argument 'stray'");
}

static void chap_consistency(void **)
{
    EXPECT_ERROR(run({BASE, "-u", "alice"}), ISCSI_ERR_INVAL, "password: CHAP username given without a password");
    EXPECT_ERROR(run({BASE, "-w", "pw"}), ISCSI_ERR_INVAL, "username: CHAP password given without a username");
    EXPECT_ERROR(run({BASE, "-U", "t"}), ISCSI_ERR_INVAL, "password_in: incoming username");
    EXPECT_ERROR(run({BASE, "-U", "t", "-W", "x"}), ISCSI_ERR_INVAL, "mutual CHAP needs one-way credentials");
    EXPECT_ERROR(run({BASE, "-u", "a", "-w", "same", "-U", "t", "-W", "same"}), ISCSI_ERR_INVAL,
                 "must differ from password");
}

static void secrets_never_in_messages(void **)
{
    try {
        run({BASE, "-u", "a", "-w", "TopSecret99", "-U", "t", "-W", "TopSecret99"});
        fail();
    } catch (const Error &e) {
        assert_null(strstr(e.what(), "TopSecret99"));
    }
}

// -w, -W, their long forms, -P with a secret name and --cmdline are
// overwritten with 'x' in argv once read; other arguments stay as given.
static void argv_secrets_scrubbed(void **)
{
    std::vector<std::string> a;
    run_keep(a, {BASE, "-u", "alice", "-w", "Secret-one1", "-U", "tgt", "--password_in=Secret-two2", "-P",
                 "node.session.scan=manual"});
    assert_string_equal(a[8].c_str(), "alice");
    assert_string_equal(a[10].c_str(), "xxxxxxxxxxx");
    assert_string_equal(a[13].c_str(), "--password_in=xxxxxxxxxxx");
    assert_string_equal(a[15].c_str(), "node.session.scan=manual");

    run_keep(a, {BASE, "-ualice", "-wSecret-one1", "--username_in", "tgt", "-W", "Secret-two2"});
    assert_string_equal(a[8].c_str(), "-wxxxxxxxxxxx");
    assert_string_equal(a[12].c_str(), "xxxxxxxxxxx");

    run_keep(a, {BASE, "-P", "node.session.auth.username=alice", "-P", "node.session.auth.password=Secret-one1",
                 "--param=node.session.auth.password_in=Secret-two2", "-P", "node.session.auth.username_in=tgt"});
    assert_string_equal(a[8].c_str(), "node.session.auth.username=alice");
    assert_string_equal(a[10].c_str(), "node.session.auth.password=xxxxxxxxxxx");
    assert_string_equal(a[11].c_str(), "--param=node.session.auth.password_in=xxxxxxxxxxx");

    const char *line = "netroot=iscsi:u:pw@h::::iqn.2026-11.x:y";
    run_keep(a, {(std::string("--cmdline=") + line).c_str()});
    assert_string_equal(a[1].c_str(), ("--cmdline=" + std::string(strlen(line), 'x')).c_str());

    // also when the value is refused
    std::string long_secret = std::string(300, 's');
    try {
        run_keep(a, {BASE, "-u", "a", "-w", long_secret.c_str()});
        fail();
    } catch (const Error &e) {
        assert_null(strstr(e.what(), "sss"));
    }
    assert_string_equal(a[10].c_str(), std::string(300, 'x').c_str());

    assert_true(cli::is_secret_param("node.session.auth.password"));
    assert_true(cli::is_secret_param("node.session.auth.password_in"));
    assert_false(cli::is_secret_param("node.session.auth.username"));
}

// The values still arrive where they belong.
static void secrets_reach_the_login(void **)
{
    auto o = run({BASE, "-u", "alice", "-P", "node.session.auth.password=Secret-one1", "-U", "tgt", "-W",
                  "Secret-two2"});
    assert_true(o.login.auth.password.reveal() == "Secret-one1");
    assert_true(o.login.auth.password_in.reveal() == "Secret-two2");
    assert_int_equal(o.param_flags.size(), 1);
    assert_string_equal(o.param_flags[0].second.c_str(), "Secret-one1");
    o = run({"--cmdline=rd.iscsi.password=pw"});
    assert_string_equal(o.cmdline_text->c_str(), "rd.iscsi.password=pw");
}

// session_config() carries every login and session setting of the
// command line, secrets included, into the session's configuration.
static void session_config_from_options(void **)
{
    auto o = run({BASE, "-p", "3261", "-g", "2", "-u", "alice", "-w", "Secret-one1", "-U", "tgt",
                  "-W", "Secret-two2", "-P", "node.session.initial_login_retry_max=4", "-P",
                  "node.conn[0].timeo.login_timeout=7", "-P", "node.session.timeo.replacement_timeout=9", "-P",
                  "node.conn[0].iscsi.HeaderDigest=CRC32C", "--supervise"});
    o.login.initiator_alias = "alias-1"; // no flag sets it (boot_session fills it in)
    SessionConfig c = cli::session_config(o);
    assert_string_equal(c.login.initiator_name.c_str(), "iqn.2026-11.test:init");
    assert_string_equal(c.login.initiator_alias.c_str(), "alias-1");
    assert_string_equal(c.login.target_name.c_str(), "iqn.2026-11.test:disk");
    assert_int_equal(c.login.tpgt, 2);
    assert_string_equal(c.portal.host.c_str(), "10.0.0.1");
    assert_int_equal(c.portal.port, 3261);
    assert_string_equal(c.login.auth.username.c_str(), "alice");
    assert_true(c.login.auth.password.reveal() == "Secret-one1");
    assert_string_equal(c.login.auth.username_in.c_str(), "tgt");
    assert_true(c.login.auth.password_in.reveal() == "Secret-two2");
    assert_string_equal(c.login.op.header_digest.c_str(), "CRC32C");
    assert_int_equal(c.session.initial_login_retry_max, 4);
    assert_int_equal(c.session.login_timeout_s, 7);
    assert_int_equal(c.session.replacement_timeout_s, 9);
    assert_true(c.supervise);
    // defaults pass through unchanged
    SessionConfig d = cli::session_config(run({BASE}));
    assert_false(d.supervise);
    assert_false(d.login.auth.chap());
    assert_int_equal(d.portal.port, 3260);
    assert_int_equal(d.session.disk_timeout_s, SessionSettings{}.disk_timeout_s);
}

// Messages that would echo input do not when it may be a secret.
static void no_secret_in_argument_errors(void **)
{
    try {
        run({BASE, "--passwrd=Hidden-77"}); // misspelt
        fail();
    } catch (const Error &e) {
        assert_non_null(strstr(e.what(), "unknown option --passwrd"));
        assert_null(strstr(e.what(), "Hidden-77"));
    }
    try {
        run({BASE, "--pass=Hidden-77"}); // ambiguous: --password or --password_in
        fail();
    } catch (const Error &e) {
        assert_null(strstr(e.what(), "Hidden-77"));
    }
    try {
        run({BASE, "-u", "a", "-w", "two", "Hidden-77"}); // an unquoted secret with a space
        fail();
    } catch (const Error &e) {
        assert_int_equal(e.code(), ISCSI_ERR_INVAL);
        assert_non_null(strstr(e.what(), "unexpected argument (not shown"));
        assert_null(strstr(e.what(), "Hidden-77"));
    }
}

static void config_file_secrets(void **)
{
    // blanks around names and values, CRLF line ends, '#' inside a value
    std::string path = write_temp("# iscsid.conf\r\n"
                                  "node.session.auth.authmethod = CHAP\r\n"
                                  "  node.session.auth.username=alice \r\n"
                                  "node.session.auth.password =\tpass#word=1 \r\n"
                                  "node.session.auth.username_in = tgt\n"
                                  "node.session.auth.password_in = Secret-two2");
    auto o = run({BASE, "-c", path.c_str()});
    unlink(path.c_str());
    assert_string_equal(o.login.auth.username.c_str(), "alice");
    assert_true(o.login.auth.password.reveal() == "pass#word=1");
    assert_true(o.login.auth.password_in.reveal() == "Secret-two2");
    // a refused secret is not echoed
    std::string too_long = "node.session.auth.password = " + std::string(300, 'k') + "\n";
    path = write_temp(too_long.c_str());
    try {
        run({BASE, "-c", path.c_str()});
        fail();
    } catch (const Error &e) {
        assert_non_null(strstr(e.what(), "node.session.auth.password: too long (300 bytes"));
        assert_null(strstr(e.what(), "kkk"));
    }
    unlink(path.c_str());
    // an empty file is fine; a directory is not a config file
    path = write_temp("");
    run({BASE, "-c", path.c_str()});
    unlink(path.c_str());
    EXPECT_ERROR(run({BASE, "-c", "/"}), ISCSI_ERR_INVAL, "config: cannot read '/'");
}

static void config_file(void **)
{
    char path[] = "/tmp/isr-conf-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# iscsid.conf\niscsid.startup = /bin/true\nnode.session.initial_login_retry_max = 7\n"
                        "node.conn[0].timeo.login_timeout = 5\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (int)sizeof text - 1);
    close(fd);
    auto o = run({BASE, "-c", path});
    assert_int_equal(o.session.initial_login_retry_max, 7);
    assert_int_equal(o.session.login_timeout_s, 5);
    unlink(path);
    EXPECT_ERROR(run({BASE, "-c", "/nonexistent.conf"}), ISCSI_ERR_INVAL, "config: cannot read");
}

static void backoff(void **)
{
    assert_int_equal(backoff_ms(1, 0.5), 250);
    assert_int_equal(backoff_ms(2, 0.5), 500);
    assert_int_equal(backoff_ms(3, 0.5), 1000);
    assert_int_equal(backoff_ms(10, 0.5), 4000); // capped
    assert_int_equal(backoff_ms(1000, 0.5), 4000);
    assert_int_equal(backoff_ms(1, 0.0), 187);   // jitter -25%
    assert_true(backoff_ms(10, 0.9999) < 5000);  // jitter +25% at most
}

static void from_cmdline_modes(void **)
{
    // no target flags at all: the kernel command line decides (main checks)
    auto o = run({});
    assert_true(o.action == cli::Action::FROM_CMDLINE);
    assert_true(o.cmdline_auto);
    assert_false(o.cmdline_text.has_value());
    o = run({"-i", "iqn.2026-11.test:init", "-d", "1"});
    assert_true(o.action == cli::Action::FROM_CMDLINE && o.cmdline_auto);
    o = run({"--from-cmdline"});
    assert_true(o.action == cli::Action::FROM_CMDLINE);
    assert_false(o.cmdline_auto);
    o = run({"--cmdline=ip=dhcp netroot=dhcp", "-P", "node.session.scan=manual"});
    assert_true(o.action == cli::Action::FROM_CMDLINE);
    assert_string_equal(o.cmdline_text->c_str(), "ip=dhcp netroot=dhcp");
    assert_int_equal(o.param_flags.size(), 1);
    assert_string_equal(o.param_flags[0].second.c_str(), "manual");
    assert_string_equal(o.initiatorname_file.c_str(), NO_FILE);
    // -t or -a alone is still open-iscsi's error, not the command line
    EXPECT_ERROR(run({"-t", "iqn.2026-11.test:disk"}), ISCSI_ERR_INVAL, "initiatorname: not set");
    EXPECT_ERROR(run({"--from-cmdline", "-u", "user"}), ISCSI_ERR_INVAL, "password: CHAP username given");
    EXPECT_ERROR(run({"--cmdline"}), ISCSI_ERR_INVAL, "missing value");
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(minimal_and_defaults),   cmocka_unit_test(long_options_and_chap),
        cmocka_unit_test(params),                 cmocka_unit_test(help_and_version),
        cmocka_unit_test(several_addresses),
        cmocka_unit_test(initiator_name_from_file), cmocka_unit_test(bad_input_exit_codes),
        cmocka_unit_test(chap_consistency),       cmocka_unit_test(secrets_never_in_messages),
        cmocka_unit_test(config_file),            cmocka_unit_test(backoff),
        cmocka_unit_test(from_cmdline_modes),     cmocka_unit_test(argv_secrets_scrubbed),
        cmocka_unit_test(secrets_reach_the_login), cmocka_unit_test(no_secret_in_argument_errors),
        cmocka_unit_test(config_file_secrets),    cmocka_unit_test(session_config_from_options),
    };
    return cmocka_run_group_tests_name("cli", tests, nullptr, nullptr);
}
