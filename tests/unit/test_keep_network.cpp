// The files the initramfs leaves for the real root's network managers
// (iscsistart/handover/keep_network.hpp): systemd-networkd's .network and
// NetworkManager's conf.d fragment, the opt-out word, the writer.
// (the C++ streams before cmocka.h, whose fail() macro they would catch)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.hpp"

#include "../../iscsistart/handover/keep_network.hpp"

using namespace isr;
using namespace isr::handover;

namespace {

BootInterface dhcp_nic()
{
    BootInterface b;
    b.ifname = "eth0";
    b.mac = Mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    b.dhcp = true;
    b.address = *IpAddress::parse("10.77.0.58");
    b.prefix_len = 24;
    b.gateway = *IpAddress::parse("10.77.0.1");
    b.dns = {*IpAddress::parse("10.77.0.1")};
    return b;
}

// the lines of `t` that are not comments
std::string body(const std::string &t)
{
    std::istringstream in(t);
    std::string line, out;
    while (std::getline(in, line))
        if (line.empty() || line[0] != '#')
            out += line + "\n";
    return out;
}

std::string slurp(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

} // namespace

// a DHCP boot: networkd asks for the same lease (client id = MAC) and keeps it
static void networkd_dhcp(void **)
{
    assert_string_equal(networkd_file_name("eth0").c_str(), "10-iscsiroot-eth0.network");
    assert_string_equal(body(networkd_text(dhcp_nic())).c_str(),
                        "[Match]\nMACAddress=52:54:00:12:34:56\nName=eth0\n\n"
                        "[Network]\nKeepConfiguration=yes\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
                        "DHCP=ipv4\nDNS=10.77.0.1\n\n[DHCPv4]\nClientIdentifier=mac\n");
}

// a static boot: the same address, gateway and DNS, no DHCP; IPv6 as well
static void networkd_static(void **)
{
    BootInterface b = dhcp_nic();
    b.dhcp = false;
    b.address = *IpAddress::parse("10.77.0.2");
    assert_string_equal(body(networkd_text(b)).c_str(),
                        "[Match]\nMACAddress=52:54:00:12:34:56\nName=eth0\n\n"
                        "[Network]\nKeepConfiguration=yes\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
                        "Address=10.77.0.2/24\nGateway=10.77.0.1\nDNS=10.77.0.1\n");
    b.address = *IpAddress::parse("fd00:77::2");
    b.prefix_len = 64;
    b.gateway = IpAddress{};
    b.dns.clear();
    b.mac.reset();
    b.ifname = "eth0.100";
    assert_string_equal(body(networkd_text(b)).c_str(),
                        "[Match]\nName=eth0.100\n\n"
                        "[Network]\nKeepConfiguration=yes\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
                        "Address=fd00:77::2/64\n");
    // a name with glob characters would match others: MAC only
    b.ifname = "e*";
    b.mac = Mac{2, 0, 0, 0, 0, 1};
    assert_null(strstr(networkd_text(b).c_str(), "Name="));
}

// NetworkManager: appended to unmanaged-devices, the permanent MAC first
static void nm_fragment(void **)
{
    BootInterface b = dhcp_nic();
    assert_string_equal(nm_file_name("eth0").c_str(), "90-iscsiroot-eth0.conf");
    assert_string_equal(body(nm_text(b)).c_str(),
                        "[keyfile]\nunmanaged-devices+=mac:52:54:00:12:34:56;interface-name:=eth0\n");
    b.perm_mac = Mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x99};
    assert_non_null(strstr(nm_text(b).c_str(), "+=mac:52:54:00:12:34:99;interface-name:=eth0\n"));
    b.mac.reset();
    b.perm_mac.reset();
    assert_non_null(strstr(nm_text(b).c_str(), "\nunmanaged-devices+=interface-name:=eth0\n"));
}

// rd.iscsiroot.keep-network: on unless turned off; the last word counts
static void opt_out(void **)
{
    assert_true(keep_network_wanted("ro quiet ip=dhcp"));
    assert_false(keep_network_wanted("ip=dhcp rd.iscsiroot.keep-network=0"));
    assert_false(keep_network_wanted("rd.iscsiroot.keep-network=no"));
    assert_false(keep_network_wanted("rd.iscsiroot.keep-network=off"));
    assert_true(keep_network_wanted("rd.iscsiroot.keep-network=0 rd.iscsiroot.keep-network"));
    assert_true(keep_network_wanted("rd.iscsiroot.keep-network=1"));
    assert_true(keep_network_wanted("rd.iscsiroot.keep-networkX=0"));
    assert_false(keep_network_wanted("\"rd.iscsiroot.keep-network=0\""));
}

static void writer(void **)
{
    char t[] = "/tmp/isr-test-keepnet.XXXXXX";
    assert_non_null(mkdtemp(t));
    const std::string dir = t;
    write_keep_network(dhcp_nic(), dir);
    const std::string nd = dir + "/run/systemd/network/10-iscsiroot-eth0.network";
    const std::string nm = dir + "/run/NetworkManager/conf.d/90-iscsiroot-eth0.conf";
    assert_string_equal(slurp(nd).c_str(), networkd_text(dhcp_nic()).c_str());
    assert_string_equal(slurp(nm).c_str(), nm_text(dhcp_nic()).c_str());
    struct stat st;
    assert_int_equal(stat(nd.c_str(), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    // rewriting replaces it
    BootInterface b = dhcp_nic();
    b.dhcp = false;
    write_keep_network(b, dir);
    assert_non_null(strstr(slurp(nd).c_str(), "Address=10.77.0.58/24\n"));
    // names that are no file name
    b.ifname = "../x";
    EXPECT_ERROR(write_keep_network(b, dir), ISCSI_ERR_INVAL, "bad interface name");
    b.ifname = "";
    EXPECT_ERROR(write_keep_network(b, dir), ISCSI_ERR_INVAL, "bad interface name");
    // a file where the directory must be
    const std::string plain = dir + "/plain";
    std::ofstream(plain) << "x";
    b.ifname = "eth0";
    EXPECT_ERROR(write_keep_network(b, plain), ISCSI_ERR, "cannot create directory " + plain);
    assert_int_equal(system(("rm -rf " + dir).c_str()), 0);
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(networkd_dhcp), cmocka_unit_test(networkd_static), cmocka_unit_test(nm_fragment),
        cmocka_unit_test(opt_out),       cmocka_unit_test(writer),
    };
    return cmocka_run_group_tests_name("keep_network", tests, nullptr, nullptr);
}
