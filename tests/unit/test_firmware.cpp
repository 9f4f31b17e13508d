// iscsistart -f on a table file: open-iscsi's record text on stdout, CHAP
// secrets masked unless --show-secrets, and then a note on stderr saying so.
#include "test_util.hpp"

#include "../../ibft/ibft.hpp"
#include "../../iscsistart/firmware.hpp"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

using namespace isr;

namespace {

std::string table_file()
{
    ibft::Table t;
    t.has_initiator = true;
    t.initiator.flags = ibft::FLAG_VALID | ibft::FLAG_BOOT_SELECTED;
    t.initiator.name = "iqn.2026-11.test:client";
    ibft::Nic n;
    n.flags = ibft::FLAG_VALID | ibft::FLAG_BOOT_SELECTED;
    n.ip = *ibft::Address::parse("10.77.0.2");
    n.prefix_len = 24;
    n.mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    t.nics.push_back(n);
    ibft::Target g;
    g.flags = ibft::FLAG_VALID | ibft::FLAG_BOOT_SELECTED;
    g.ip = *ibft::Address::parse("10.77.0.1");
    g.name = "iqn.2026-11.test:root";
    g.chap_type = ibft::CHAP_MUTUAL;
    g.chap_name = "client";
    g.chap_secret = Secret("ClientSecret12");
    g.rev_chap_name = "target";
    g.rev_chap_secret = Secret("TargetSecret34");
    t.targets.push_back(g);
    auto raw = ibft::build(t);
    char path[] = "/tmp/isr-ibft-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, raw.data(), raw.size()), (int)raw.size());
    close(fd);
    return path;
}

std::string slurp(int fd)
{
    std::string s;
    char b[4096];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = read(fd, b, sizeof b)) > 0;)
        s.append(b, (std::size_t)n);
    return s;
}

struct Printed {
    int rc;
    std::string out, err;
};

// fw_print with stdout and stderr going to temporary files.
Printed print(const std::string &table, bool show_secrets)
{
    cli::Options o;
    o.action = cli::Action::FW_PRINT;
    o.ibft_path = table;
    o.show_secrets = show_secrets;
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    FILE *out = tmpfile(), *err = tmpfile();
    dup2(fileno(out), 1);
    dup2(fileno(err), 2);
    int rc = fw_print(o);
    fflush(stdout);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    Printed p{rc, slurp(fileno(out)), slurp(fileno(err))};
    fclose(out);
    fclose(err);
    return p;
}

} // namespace

static void masked_by_default_with_a_note(void **)
{
    std::string table = table_file();
    Printed p = print(table, false);
    unlink(table.c_str());
    assert_int_equal(p.rc, ISCSI_SUCCESS);
    assert_non_null(strstr(p.out.c_str(), "node.session.auth.password = ********\n"));
    assert_non_null(strstr(p.out.c_str(), "node.session.auth.password_in = ********\n"));
    assert_non_null(strstr(p.out.c_str(), "node.session.auth.username = client\n"));
    for (const std::string *s : {&p.out, &p.err}) {
        assert_null(strstr(s->c_str(), "ClientSecret12"));
        assert_null(strstr(s->c_str(), "TargetSecret34"));
    }
    assert_true(p.out.rfind("# BEGIN RECORD", 0) == 0); // nothing else on stdout
    assert_non_null(strstr(p.err.c_str(), "CHAP secrets shown as ********; --show-secrets prints them"));
}

static void shown_on_request(void **)
{
    std::string table = table_file();
    Printed p = print(table, true);
    unlink(table.c_str());
    assert_int_equal(p.rc, ISCSI_SUCCESS);
    assert_non_null(strstr(p.out.c_str(), "node.session.auth.password = ClientSecret12\n"));
    assert_non_null(strstr(p.out.c_str(), "node.session.auth.password_in = TargetSecret34\n"));
    assert_null(strstr(p.err.c_str(), "--show-secrets"));
    assert_null(strstr(p.err.c_str(), "Secret"));
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(masked_by_default_with_a_note),
        cmocka_unit_test(shown_on_request),
    };
    return cmocka_run_group_tests_name("firmware", tests, nullptr, nullptr);
}
