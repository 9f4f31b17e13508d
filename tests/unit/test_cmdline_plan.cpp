// From a parsed kernel command line to what gets done: the interfaces to
// bring up (net_plan) and each target's login settings (login_plan).
#include "test_util.hpp"

#include "../../iscsistart/cmdline/login_plan.hpp"
#include "../../iscsistart/cmdline/net_plan.hpp"

#include <sys/socket.h>

using namespace isr;
using namespace isr::cmdline;

static void default_is_dhcp_on_first_carrier(void **)
{
    auto p = plan_network(parse("netroot=iscsi:10.0.0.1::::iqn.2026-11.x:root"));
    assert_int_equal(p.size(), 1);
    assert_int_equal(p[0].method, IpConfig::DHCP);
    assert_true(p[0].nic_name.empty() && !p[0].nic_mac);
    // BOOTIF= picks the NIC by MAC
    p = plan_network(parse("netroot=dhcp BOOTIF=01-52-54-00-00-00-09"));
    assert_int_equal(p.size(), 1);
    assert_true(p[0].nic_mac && (*p[0].nic_mac)[5] == 9);
    // nothing iSCSI: nothing to bring up
    assert_int_equal(plan_network(parse("root=/dev/sda1 ip=dhcp")).size(), 1);
    assert_int_equal(plan_network(parse("root=/dev/sda1")).size(), 0);
    // ip=off: the network is already up (someone else's)
    assert_int_equal(plan_network(parse("ip=off netroot=iscsi:10.0.0.1::::iqn.2026-11.x:r")).size(), 0);
    // the iBFT describes the network
    assert_int_equal(plan_network(parse("rd.iscsi.firmware")).size(), 0);
    assert_int_equal(plan_network(parse("ip=ibft netroot=iscsi:10.0.0.1::::iqn.2026-11.x:r")).size(), 0);
}

static void static_vlan_ifname_routes(void **)
{
    auto p = plan_network(parse("vlan=eth0.100:eth0 ifname=eth0:52:54:00:00:00:01 "
                                "ip=10.0.0.2::10.0.0.1:255.255.255.0:host:eth0.100:off:1400 "
                                "rd.route=10.1.0.0/16:10.0.0.254 rd.route=10.2.0.0/16:10.0.0.253:eth0.100 "
                                "netroot=iscsi:10.0.0.1::::iqn.2026-11.x:root"));
    assert_int_equal(p.size(), 1);
    assert_int_equal(p[0].vlan_id, 100);
    assert_string_equal(p[0].vlan_name.c_str(), "eth0.100");
    assert_true(p[0].nic_name.empty());
    assert_true(p[0].nic_mac && (*p[0].nic_mac)[5] == 1);
    assert_string_equal(p[0].rename_to.c_str(), "eth0");
    assert_string_equal(p[0].final_name().c_str(), "eth0.100");
    assert_int_equal(p[0].method, IpConfig::STATIC);
    assert_string_equal(p[0].address.text().c_str(), "10.0.0.2");
    assert_int_equal(p[0].prefix_len, 24);
    assert_int_equal(p[0].mtu, 1400);
    assert_string_equal(p[0].hostname.c_str(), "host");
    assert_int_equal(p[0].routes.size(), 2);

    p = plan_network(parse("ip=eth1:dhcp ip=10.0.0.2:::24::eth0:none rd.route=10.3.0.0/16:10.0.0.1:eth0"));
    assert_int_equal(p.size(), 2);
    assert_string_equal(p[0].nic_name.c_str(), "eth1");
    assert_int_equal(p[1].routes.size(), 1);
    assert_int_equal(p[0].routes.size(), 0);
}

static void plan_refusals(void **)
{
    EXPECT_ERROR(plan_network(parse("ip=eth0:dhcp6")), ISCSI_ERR_INVAL, "DHCPv6");
    EXPECT_ERROR(plan_network(parse("ip=eth0:dhcp ip=eth0:dhcp")), ISCSI_ERR_INVAL, "two entries for eth0");
    EXPECT_ERROR(plan_network(parse("ip=eth0:dhcp rd.route=10.3.0.0/16:10.0.0.1:eth9")), ISCSI_ERR_INVAL,
                 "rd.route: no ip= entry brings up eth9");
}

static void initiator_precedence(void **)
{
    const std::string gen = "iqn.2026-11.org.iscsiroot:0a0b0c0d0e0f";
    BootConfig none = parse("netroot=dhcp");
    BootConfig kc = parse("netroot=dhcp rd.iscsi.initiator=iqn.2026-11.k:c");
    auto c = choose_initiator("iqn.2026-11.f:flag", kc, "iqn.2026-11.d:dhcp", "iqn.2026-11.f:file", gen);
    assert_string_equal(c.name.c_str(), "iqn.2026-11.f:flag");
    c = choose_initiator("", kc, "iqn.2026-11.d:dhcp", "iqn.2026-11.f:file", gen);
    assert_string_equal(c.name.c_str(), "iqn.2026-11.k:c");
    c = choose_initiator("", none, "iqn.2026-11.d:dhcp", "iqn.2026-11.f:file", gen);
    assert_string_equal(c.name.c_str(), "iqn.2026-11.d:dhcp");
    assert_string_equal(c.source, "DHCP option 203");
    c = choose_initiator("", none, "", "iqn.2026-11.f:file", gen);
    assert_string_equal(c.name.c_str(), "iqn.2026-11.f:file");
    c = choose_initiator("", none, "", "", gen);
    assert_string_equal(c.name.c_str(), gen.c_str());
    EXPECT_ERROR(choose_initiator("", none, "not a name", "", gen), ISCSI_ERR_INVAL, "from DHCP option 203");
    const uint8_t rnd[6] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
    assert_string_equal(generated_initiator_name(rnd).c_str(), "iqn.2026-11.org.iscsiroot:deadbeef0001");
}

static void target_login_settings(void **)
{
    cli::Options base;
    base.session.initial_login_retry_max = 30;
    BootConfig b = parse("netroot=iscsi:tu:tp@[fd00::1]::3261:1:iqn.2026-11.x:root "
                         "netroot=iscsi:10.0.0.1::::iqn.2026-11.x:two "
                         "rd.iscsi.username=gu rd.iscsi.password=gp rd.iscsi.login_retry_max=2 "
                         "rd.iscsi.param=node.session.scan=manual rd.iscsi.param=node.conn[0].timeo.login_timeout=5");
    auto o = target_options(base, b, b.targets[0], "iqn.2026-11.i:n");
    assert_true(o.action == cli::Action::LOGIN);
    assert_string_equal(o.portal.host.c_str(), "fd00::1");
    assert_int_equal(o.portal.port, 3261);
    assert_string_equal(o.login.target_name.c_str(), "iqn.2026-11.x:root");
    assert_string_equal(o.login.initiator_name.c_str(), "iqn.2026-11.i:n");
    assert_string_equal(o.login.auth.username.c_str(), "tu"); // the URI's
    assert_true(o.login.auth.password.reveal() == "tp");
    assert_int_equal(o.session.initial_login_retry_max, 2);
    assert_false(o.session.scan);
    assert_int_equal(o.session.login_timeout_s, 5);
    o = target_options(base, b, b.targets[1], "iqn.2026-11.i:n");
    assert_string_equal(o.login.auth.username.c_str(), "gu"); // rd.iscsi.*
    // flags win over both
    base.login.auth.username = "fu";
    base.login.auth.password = Secret("fp");
    base.param_flags.emplace_back("node.session.scan", "auto");
    o = target_options(base, b, b.targets[0], "iqn.2026-11.i:n");
    assert_string_equal(o.login.auth.username.c_str(), "fu");
    assert_true(o.session.scan);

    // the LUN field picks the root's LUN; an empty one leaves every LUN;
    // the netdev field binds the path to its interface
    BootConfig l = parse("netroot=iscsi:10.0.0.1::3260:default:eth1:2:iqn.2026-11.x:r "
                         "netroot=iscsi:10.0.0.1::::iqn.2026-11.x:r "
                         "netroot=iscsi:10.0.0.1:::0001-0000-0000-0000:iqn.2026-11.x:r");
    o = target_options(cli::Options{}, l, l.targets[0], "iqn.2026-11.i:n");
    assert_int_equal(o.session.lun, 2);
    assert_string_equal(o.netdev.c_str(), "eth1");
    assert_string_equal(cli::session_config(o).netdev.c_str(), "eth1");
    o = target_options(cli::Options{}, l, l.targets[1], "iqn.2026-11.i:n");
    assert_int_equal(o.session.lun, -1);
    assert_true(o.netdev.empty());
    o = target_options(cli::Options{}, l, l.targets[2], "iqn.2026-11.i:n");
    assert_int_equal(o.session.lun, 1); // SAM peripheral addressing

    cli::Options plain;
    BootConfig bad = parse("netroot=iscsi:10.0.0.1::::iqn.2026-11.x:r rd.iscsi.param=node.bogus=1");
    EXPECT_ERROR(target_options(plain, bad, bad.targets[0], "iqn.2026-11.i:n"), ISCSI_ERR_INVAL,
                 "rd.iscsi.param");
    bad = parse("netroot=iscsi:10.0.0.1::::not-a-name");
    EXPECT_ERROR(target_options(plain, bad, bad.targets[0], "iqn.2026-11.i:n"), ISCSI_ERR_INVAL, "targetname");
    bad = parse("netroot=iscsi:u:p:tu:p@10.0.0.1::::iqn.2026-11.x:r");
    EXPECT_ERROR(target_options(plain, bad, bad.targets[0], "iqn.2026-11.i:n"), ISCSI_ERR_INVAL,
                 "must differ from password");
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(default_is_dhcp_on_first_carrier), cmocka_unit_test(static_vlan_ifname_routes),
        cmocka_unit_test(plan_refusals),                    cmocka_unit_test(initiator_precedence),
        cmocka_unit_test(target_login_settings),
    };
    return cmocka_run_group_tests_name("cmdline_plan", tests, nullptr, nullptr);
}
