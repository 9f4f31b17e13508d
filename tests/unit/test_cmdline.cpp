// Kernel command line grammars: dracut, RFC 4173, the kernel's ip=,
// Debian's iscsi_*; every accepted form in docs/cmdline.md has a case.
#include "test_util.hpp"

#include "../../iscsistart/cmdline/cmdline.hpp"
#include "../../iscsistart/cmdline/sources.hpp"

#include <cstring>
#include <sys/socket.h>

using namespace isr;
using namespace isr::cmdline;

static void splitting(void **)
{
    auto w = split("  a=1 rd.iscsi.param=\"node.session.scan=manual\" \"b c\"=d\tquiet ");
    assert_int_equal(w.size(), 4);
    assert_string_equal(w[1].c_str(), "rd.iscsi.param=node.session.scan=manual");
    assert_string_equal(w[2].c_str(), "b c=d");
    assert_string_equal(w[3].c_str(), "quiet");
}

static void rfc4173_root_paths(void **)
{
    auto t = parse_iscsi_uri("iscsi:10.0.0.1::::iqn.2026-11.org.example:disk1", "netroot");
    assert_string_equal(t.server.c_str(), "10.0.0.1");
    assert_int_equal(t.port, 3260);
    assert_int_equal(t.lun, 0);
    assert_string_equal(t.target_name.c_str(), "iqn.2026-11.org.example:disk1");
    t = parse_iscsi_uri("iscsi:san.example.com:6:3261:1:iqn.2026-11.org.example:a:b", "netroot");
    assert_string_equal(t.server.c_str(), "san.example.com");
    assert_int_equal(t.port, 3261);
    assert_int_equal(t.lun, 1);
    assert_string_equal(t.target_name.c_str(), "iqn.2026-11.org.example:a:b");
    t = parse_iscsi_uri("iscsi:10.0.0.1:::4752-3A4F-6b7e-2F99:iqn.2026-11.x:y", "netroot");
    assert_true(t.lun == 0x47523A4F6B7E2F99ULL);
    assert_true(t.lun_given);
    t = parse_iscsi_uri("iscsi:10.0.0.1:::a:eui.0123456789ABCDEF", "netroot");
    assert_int_equal(t.lun, 10);
    assert_true(t.lun_given);
    assert_false(parse_iscsi_uri("iscsi:10.0.0.1::::iqn.2026-11.x:y", "netroot").lun_given);
    // to Linux's LUN numbers: small values as they are, 8-byte SAM LUNs by method
    assert_int_equal(linux_lun(0), 0);
    assert_int_equal(linux_lun(0x1f), 0x1f);
    assert_int_equal(linux_lun(0x0001000000000000ULL), 1);     // peripheral, bus 0
    assert_int_equal(linux_lun(0x4102000000000000ULL), 0x102); // flat space
    assert_int_equal(linux_lun(0x47523A4F6B7E2F99ULL), 0x0752);       // flat space too
    assert_true(linux_lun(0xC7523A4F6B7E2F99ULL) == 0xC7523A4F6B7E2F99ULL); // extended: as is
    assert_string_equal(t.target_name.c_str(), "eui.0123456789ABCDEF");
}

static void dracut_netroot_forms(void **)
{
    auto t = parse_iscsi_uri("iscsi:[fd00:77::1]::3260::iqn.2026-11.x:root", "netroot");
    assert_string_equal(t.server.c_str(), "fd00:77::1");
    assert_int_equal(t.port, 3260);
    t = parse_iscsi_uri("iscsi:user:pa@ss:tuser:tpass@10.0.0.1::::iqn.2026-11.x:root", "netroot");
    assert_string_equal(t.username.c_str(), "user");
    assert_true(t.password.reveal() == "pa@ss");
    assert_string_equal(t.username_in.c_str(), "tuser");
    assert_true(t.password_in.reveal() == "tpass");
    assert_string_equal(t.server.c_str(), "10.0.0.1");
    t = parse_iscsi_uri("iscsi:u:p@10.0.0.1::3260:default:eth0:2:iqn.2026-11.x:root", "netroot");
    assert_string_equal(t.iface.c_str(), "default");
    assert_string_equal(t.netdev.c_str(), "eth0");
    assert_int_equal(t.lun, 2);
    assert_string_equal(t.target_name.c_str(), "iqn.2026-11.x:root");
}

static void bad_uris(void **)
{
    EXPECT_ERROR(parse_iscsi_uri("nfs:1.2.3.4:/x", "netroot"), ISCSI_ERR_INVAL, "'nfs:...' does not start with iscsi:");
    // a mistyped scheme must not echo the credentials after it
    try {
        parse_iscsi_uri("iSCSI:user:Secret-9@10.0.0.1::::iqn.x:y", "netroot");
        fail();
    } catch (const Error &e) {
        assert_null(strstr(e.what(), "Secret-9"));
    }
    EXPECT_ERROR(parse_iscsi_uri("iscsi:10.0.0.1:17:3260::iqn.x:y", "netroot"), ISCSI_ERR_INVAL,
                 "the protocol field is not empty or 6 (TCP)");
    // the '@' forgotten: the password is the protocol field, not quoted
    try {
        parse_iscsi_uri("iscsi:user:Secret-9:10.0.0.1::::iqn.x:y", "netroot");
        fail();
    } catch (const Error &e) {
        assert_null(strstr(e.what(), "Secret-9"));
        assert_non_null(strstr(e.what(), "credentials need an '@'"));
    }
    EXPECT_ERROR(parse_iscsi_uri("iscsi:10.0.0.1::99999::iqn.x:y", "netroot"), ISCSI_ERR_INVAL, "99999");
    // no target name: discovery (not an error)
    assert_true(parse_iscsi_uri("iscsi:10.0.0.1::3261::", "root").target_name.empty());
    assert_int_equal(parse_iscsi_uri("iscsi:10.0.0.1::3261::", "root").port, 3261);
    EXPECT_ERROR(parse_iscsi_uri("iscsi:10.0.0.1:::xyz:iqn.x:y", "netroot"), ISCSI_ERR_INVAL, "LUN 'xyz'");
    EXPECT_ERROR(parse_iscsi_uri("iscsi:[fd00::1::::iqn.x:y", "netroot"), ISCSI_ERR_INVAL, "missing ']'");
    EXPECT_ERROR(parse_iscsi_uri("iscsi:a@10.0.0.1::::iqn.x:y", "netroot"), ISCSI_ERR_INVAL, "credentials");
    EXPECT_ERROR(parse_iscsi_uri("iscsi:10.0.0.1", "netroot"), ISCSI_ERR_INVAL, "expected iscsi:");
}

static void ip_forms(void **)
{
    auto c = parse_ip("dhcp");
    assert_int_equal(c.method, IpConfig::DHCP);
    assert_true(c.ifname.empty());
    c = parse_ip("eth1:dhcp:1400:52:54:00:12:34:56");
    assert_string_equal(c.ifname.c_str(), "eth1");
    assert_int_equal(c.mtu, 1400);
    assert_true(c.mac && (*c.mac)[5] == 0x56);
    c = parse_ip("10.0.0.2::10.0.0.1:255.255.255.0:client:eth0:off");
    assert_int_equal(c.method, IpConfig::STATIC);
    assert_string_equal(c.client.text().c_str(), "10.0.0.2");
    assert_string_equal(c.gateway.text().c_str(), "10.0.0.1");
    assert_int_equal(c.prefix_len, 24);
    assert_string_equal(c.hostname.c_str(), "client");
    assert_string_equal(c.ifname.c_str(), "eth0");
    c = parse_ip("10.0.0.2::10.0.0.1:16::eth0:none:10.0.0.53:10.0.0.54");
    assert_int_equal(c.prefix_len, 16);
    assert_int_equal(c.dns.size(), 2);
    c = parse_ip("[fd00::2]::[fd00::1]:64::eth0:none");
    assert_int_equal(c.client.family, AF_INET6);
    assert_int_equal(c.prefix_len, 64);
    c = parse_ip("10.0.0.2::10.0.0.1:24::eth0:none:9000:52:54:00:aa:bb:cc");
    assert_int_equal(c.mtu, 9000);
    assert_true(c.mac && (*c.mac)[3] == 0xaa);
    c = parse_ip("eth0:dhcp::");
    assert_string_equal(c.ifname.c_str(), "eth0");
    assert_false(c.mac.has_value());
    c = parse_ip("eth0:dhcp:1500:52-54-00-12-34-56");
    assert_true(c.mac && (*c.mac)[5] == 0x56);
    c = parse_ip(":::::eth0:"); // no address, no method: the kernel autoconfigures
    assert_int_equal(c.method, IpConfig::DHCP);
    c = parse_ip("10.0.0.2::10.0.0.1:24::eth0:none:10.0.0.53:10.0.0.54:10.0.0.99"); // last: NTP
    assert_int_equal(c.dns.size(), 2);
    c = parse_ip("off");
    assert_int_equal(c.method, IpConfig::OFF);
    c = parse_ip("none");
    assert_int_equal(c.method, IpConfig::OFF);
    c = parse_ip("ibft");
    assert_int_equal(c.method, IpConfig::IBFT);
    c = parse_ip("10.0.0.2:10.0.0.9:10.0.0.1:255.255.0.0:h:eth0:off:10.0.0.53"); // kernel nfsroot form
    assert_string_equal(c.peer.text().c_str(), "10.0.0.9");
    assert_int_equal(c.dns.size(), 1);
}

static void bad_ip(void **)
{
    EXPECT_ERROR(parse_ip("carrier-pigeon"), ISCSI_ERR_INVAL, "ip: unknown method");
    EXPECT_ERROR(parse_ip(""), ISCSI_ERR_INVAL, "ip: empty value");
    EXPECT_ERROR(parse_ip("10.0.0.300::10.0.0.1:24::eth0:off"), ISCSI_ERR_INVAL, "not an IP address");
    EXPECT_ERROR(parse_ip("10.0.0.2::10.0.0.1:255.0.255.0::eth0:off"), ISCSI_ERR_INVAL, "not contiguous");
    EXPECT_ERROR(parse_ip("::10.0.0.1:24::eth0:off"), ISCSI_ERR_INVAL, "without a client address");
    EXPECT_ERROR(parse_ip("eth0:dhcp:9:zz"), ISCSI_ERR_INVAL, "");
    EXPECT_ERROR(parse_ip("eth0:none"), ISCSI_ERR_INVAL, "gives no address");
    EXPECT_ERROR(parse_ip("10.0.0.2:::33::eth0:none"), ISCSI_ERR_INVAL, "too long for an IPv4 address");
}

static void whole_dracut_line(void **)
{
    auto b = parse("BOOT_IMAGE=/vmlinuz root=iscsi:10.0.0.1::::iqn.2026-11.x:root "
                   "netroot=iscsi:10.0.0.2::::iqn.2026-11.x:backup rd.iscsi.initiator=iqn.2026-11.x:client "
                   "rd.iscsi.username=u rd.iscsi.password=p rd.iscsi.in.username=tu rd.iscsi.in.password=tp "
                   "rd.iscsi.param=node.session.timeo.replacement_timeout=30 rd.iscsi.param=node.session.scan=auto "
                   "rd.iscsi.login_retry_max=5 rd.iscsi.waitnet=0 ip=eth0:dhcp ifname=eth0:52:54:00:12:34:56 "
                   "vlan=eth0.100:eth0 BOOTIF=01-52-54-00-12-34-57 rd.route=10.1.0.0/16:10.0.0.254:eth0 "
                   "nameserver=10.0.0.53 rd.net.timeout.carrier=5 rd.net.timeout.dhcp=7 quiet");
    assert_true(b.wants_iscsi());
    assert_int_equal(b.targets.size(), 2);
    assert_string_equal(b.targets[1].target_name.c_str(), "iqn.2026-11.x:backup");
    assert_string_equal(b.initiator.c_str(), "iqn.2026-11.x:client");
    assert_true(b.password.reveal() == "p" && b.password_in.reveal() == "tp");
    assert_int_equal(b.params.size(), 2);
    assert_string_equal(b.params[0].second.c_str(), "30");
    assert_int_equal(b.login_retry_max, 5);
    assert_false(b.waitnet);
    assert_int_equal(b.ips.size(), 1);
    assert_int_equal(b.ifnames.size(), 1);
    assert_int_equal(b.vlans[0].id, 100);
    assert_string_equal(b.vlans[0].parent.c_str(), "eth0");
    assert_true(b.bootif && (*b.bootif)[5] == 0x57);
    assert_int_equal(b.routes[0].prefix_len, 16);
    assert_int_equal(b.nameservers.size(), 1);
    assert_int_equal(b.carrier_timeout_s, 5);
    assert_int_equal(b.dhcp_timeout_s, 7);
    EXPECT_ERROR(parse("rd.net.timeout.dhcp=0"), ISCSI_ERR_INVAL, "rd.net.timeout.dhcp: '0'");
}

static void dhcp_firmware_and_debian(void **)
{
    auto b = parse("ip=dhcp netroot=dhcp");
    assert_true(b.root_path_from_dhcp);
    assert_true(b.targets.empty());
    b = parse("rd.iscsi.firmware=1");
    assert_true(b.use_ibft);
    b = parse("ip=ibft");
    assert_true(b.use_ibft);
    b = parse("root=/dev/sda1 ro");
    assert_false(b.wants_iscsi());
    b = parse("iscsi_initiator=iqn.2026-11.d:c iscsi_target_name=iqn.2026-11.d:t iscsi_target_ip=10.0.0.1 "
              "iscsi_target_port=3261 iscsi_target_group=2 iscsi_username=u iscsi_password=p");
    assert_int_equal(b.targets.size(), 1);
    assert_int_equal(b.targets[0].port, 3261);
    assert_int_equal(b.targets[0].tpgt, 2);
    assert_true(b.targets[0].password.reveal() == "p");
    EXPECT_ERROR(parse("iscsi_target_name=iqn.2026-11.d:t"), ISCSI_ERR_INVAL, "needs both");
    EXPECT_ERROR(parse("vlan=eth0"), ISCSI_ERR_INVAL, "vlan: expected");
    EXPECT_ERROR(parse("vlan=vlanx:eth0"), ISCSI_ERR_INVAL, "VLAN id");
    EXPECT_ERROR(parse("BOOTIF=zz"), ISCSI_ERR_INVAL, "BOOTIF");
    EXPECT_ERROR(parse("rd.iscsi.param=novalue"), ISCSI_ERR_INVAL, "NAME=VALUE");
    EXPECT_ERROR(parse("netroot=dhcp6"), ISCSI_ERR_INVAL, "DHCPv6 is not supported");
    EXPECT_ERROR(parse("nameserver="), ISCSI_ERR_INVAL, "nameserver: empty");
    b = parse("rd.iscsi.pasword=x iscsi_targetname=y rd.iscsi.initiator=iqn.2026-11.x:y");
    assert_int_equal(b.unknown.size(), 2);
    assert_string_equal(b.unknown[0].c_str(), "rd.iscsi.pasword");
}

// /etc/iscsiroot.conf: whole-line comments only, '#' inside a value kept
static void config_file(void **)
{
    assert_string_equal(config_file_words("").c_str(), "");
    assert_string_equal(config_file_words("# only a comment\n\n   \n").c_str(), "");
    assert_string_equal(config_file_words("  # indented comment\r\n"
                                          "netroot=iscsi:10.0.0.1::::iqn.2026-11.x:root\r\n"
                                          "rd.iscsi.username=u  rd.iscsi.password=se#cret\n"
                                          "\trd.iscsi.initiator=iqn.2026-11.x:h1")
                            .c_str(),
                        "netroot=iscsi:10.0.0.1::::iqn.2026-11.x:root rd.iscsi.username=u  "
                        "rd.iscsi.password=se#cret rd.iscsi.initiator=iqn.2026-11.x:h1");
}

// the file's words first, /proc/cmdline last: the boot prompt wins
static void sources_in_order(void **)
{
    assert_string_equal(join_sources({"", "  ", "quiet\n"}).c_str(), "quiet");
    const std::string line = join_sources(
        {config_file_words("rd.iscsi.initiator=iqn.2026-11.x:from-file\n"
                           "netroot=iscsi:10.0.0.1::::iqn.2026-11.x:a rd.iscsi.password=\"two words\"\n"),
         "", "ip=dhcp rd.iscsi.initiator=iqn.2026-11.x:from-prompt netroot=iscsi:10.0.0.2::::iqn.2026-11.x:b\n"});
    BootConfig b = parse(line);
    assert_string_equal(b.initiator.c_str(), "iqn.2026-11.x:from-prompt");
    assert_int_equal(b.targets.size(), 2);
    assert_string_equal(b.targets[0].server.c_str(), "10.0.0.1");
    assert_string_equal(b.targets[1].server.c_str(), "10.0.0.2");
    assert_true(b.password.reveal() == "two words");
}

// The texts may hold secrets: each result is allocated once, at its final
// size or more, so no smaller buffer with a prefix of it is freed unwiped.
static void sources_allocated_once(void **)
{
    std::string text;
    for (int i = 0; i < 200; ++i)
        text += "rd.iscsi.password=secret" + std::to_string(i) + "\n";
    const std::string words = config_file_words(text);
    assert_true(words.capacity() >= text.size());
    const std::string joined = join_sources({words, "ip=dhcp", words});
    assert_true(joined.capacity() >= 2 * words.size() + 7 + 2);
    assert_int_equal(joined.size(), 2 * words.size() + 7 + 2);
}

static void supervise_switch(void **)
{
    assert_int_equal(cmdline::parse("netroot=iscsi:10.0.0.1::::iqn.2026-11.x:r").supervise, -1);
    assert_int_equal(cmdline::parse("rd.iscsiroot.supervise=0").supervise, 0);
    assert_int_equal(cmdline::parse("rd.iscsiroot.supervise=no").supervise, 0);
    assert_int_equal(cmdline::parse("rd.iscsiroot.supervise=1").supervise, 1);
    assert_int_equal(cmdline::parse("rd.iscsiroot.supervise").supervise, 1);
    // the last one wins, as with every yes/no parameter
    assert_int_equal(cmdline::parse("rd.iscsiroot.supervise=1 rd.iscsiroot.supervise=0").supervise, 0);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(config_file),    cmocka_unit_test(sources_in_order),
        cmocka_unit_test(sources_allocated_once), cmocka_unit_test(supervise_switch),
        cmocka_unit_test(splitting),      cmocka_unit_test(rfc4173_root_paths), cmocka_unit_test(dracut_netroot_forms),
        cmocka_unit_test(bad_uris),       cmocka_unit_test(ip_forms),           cmocka_unit_test(bad_ip),
        cmocka_unit_test(whole_dracut_line), cmocka_unit_test(dhcp_firmware_and_debian),
    };
    return cmocka_run_group_tests_name("cmdline", tests, nullptr, nullptr);
}
