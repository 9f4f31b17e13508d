// The iBFT parser against tables written independently of ibft/build.cpp
// and ibft/layout.hpp: one spelled out byte by byte from the iBFT 1.03
// specification (below), and two that iPXE wrote in QEMU boots
// (fixtures/ibft_ipxe_tables.hpp, with how they were made). The expected
// values are what the bytes say, or what the boot configured; never what
// our own writer produces.
#include "test_util.hpp"

#include "../../ibft/ibft.hpp"
#include "../../ibft/records.hpp"
#include "fixtures/ibft_ipxe_tables.hpp"

#include <cstring>
#include <string>

#include <sys/socket.h>

using namespace isr;
using namespace isr::ibft;

namespace {

// A table written by hand from "iSCSI Boot Firmware Table (iBFT) as
// Defined in ACPI 3.0b Specification" version 1.03, section 3: every
// field at the offset the specification gives (comments: table offset,
// then "+N" the offset inside the structure). Structures at 0x50, 0xa0
// and 0x110 (16-byte aligned, as iPXE does), strings from 0x148, each
// NUL-terminated with the length not counting the NUL.
// Checksum: the 445 other bytes sum to 0xdc (mod 256), so byte 9 is
// 0x100 - 0xdc = 0x24.
const uint8_t spec_table[] = {
    'i', 'B', 'F', 'T',                      // 0x000 ACPI header: Signature
    0xbe, 0x01, 0x00, 0x00,                  // 0x004 Length (446 bytes)
    0x01,                                    // 0x008 Revision 1
    0x24,                                    // 0x009 Checksum 0x24
    'H', 'A', 'N', 'D', 'M', 'D',            // 0x00a OEMID
    'S', 'P', 'E', 'C', '1', '.', '0', '3',  // 0x010 OEM Table ID
    0x01, 0x00, 0x00, 0x00,                  // 0x018 OEM Revision 1
    'I', 'S', 'R', 'T',                      // 0x01c Creator ID
    0x01, 0x00, 0x00, 0x00,                  // 0x020 Creator Revision 1
    // 0x024 Reserved (12 bytes)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // 0x030 Control: Structure ID 1, Version 1, Length 18, Index 0, Flags 0
    0x01, 0x01, 0x12, 0x00, 0x00, 0x00,
    0x00, 0x00,                              // 0x036 Control +6: Extensions 0
    0x50, 0x00,                              // 0x038 Control +8: Initiator Offset 0x50
    0xa0, 0x00,                              // 0x03a Control +10: NIC 0 Offset 0xa0
    0x10, 0x01,                              // 0x03c Control +12: Target 0 Offset 0x110
    0x00, 0x00,                              // 0x03e Control +14: NIC 1 Offset (none)
    0x00, 0x00,                              // 0x040 Control +16: Target 1 Offset (none)
    // 0x042 padding (14 bytes)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // 0x050 Initiator: ID 2, Version 1, Length 74, Index 0, Flags 3 (valid, boot selected)
    0x02, 0x01, 0x4a, 0x00, 0x00, 0x03,
    // 0x056 Initiator +6: iSNS Server ::ffff:192.168.7.2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc0, 0xa8, 0x07, 0x02,
    // 0x066 Initiator +22: SLP Server (none)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // 0x076 Initiator +38: Primary Radius Server (none)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // 0x086 Initiator +54: Secondary Radius Server (none)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x1d, 0x00, 0x48, 0x01,                  // 0x096 Initiator +70: Initiator Name Length 29, Offset 0x148
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,      // 0x09a padding
    // 0x0a0 NIC: ID 3, Version 1, Length 102, Index 0, Flags 3 (valid, boot selected)
    0x03, 0x01, 0x66, 0x00, 0x00, 0x03,
    // 0x0a6 NIC +6: IP Address ::ffff:192.168.7.21
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc0, 0xa8, 0x07, 0x15,
    0x18,                                    // 0x0b6 NIC +22: Subnet Mask Prefix 24
    0x01,                                    // 0x0b7 NIC +23: Origin 1 (manual)
    // 0x0b8 NIC +24: Gateway ::ffff:192.168.7.1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc0, 0xa8, 0x07, 0x01,
    // 0x0c8 NIC +40: Primary DNS ::ffff:192.168.7.53
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc0, 0xa8, 0x07, 0x35,
    // 0x0d8 NIC +56: Secondary DNS ::ffff:192.168.7.54
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc0, 0xa8, 0x07, 0x36,
    // 0x0e8 NIC +72: DHCP (none: static)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x4d, 0x00,                              // 0x0f8 NIC +88: VLAN 77
    0x02, 0x11, 0x22, 0x33, 0x44, 0x55,      // 0x0fa NIC +90: MAC Address 02:11:22:33:44:55
    0x19, 0x02,                              // 0x100 NIC +96: PCI Bus/Dev/Func 02:03.1 (2 << 8 | 3 << 3 | 1)
    0x05, 0x00, 0x66, 0x01,                  // 0x102 NIC +98: Host Name Length 5, Offset 0x166
    // 0x106 padding (10 bytes)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    // 0x110 Target: ID 4, Version 1, Length 54, Index 0, Flags 3 (valid, boot selected)
    0x04, 0x01, 0x36, 0x00, 0x00, 0x03,
    // 0x116 Target +6: Target IP Address ::ffff:192.168.7.9
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xc0, 0xa8, 0x07, 0x09,
    0xbd, 0x0c,                              // 0x126 Target +22: Target IP Socket 3261
    // 0x128 Target +24: Target Boot LUN 5 (peripheral device addressing)
    0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02,                                    // 0x130 Target +32: CHAP Type 2 (mutual)
    0x00,                                    // 0x131 Target +33: NIC Association 0
    0x1d, 0x00, 0x6c, 0x01,                  // 0x132 Target +34: Target Name Length 29, Offset 0x16c
    0x05, 0x00, 0x8a, 0x01,                  // 0x136 Target +38: CHAP Name Length 5, Offset 0x18a
    0x0f, 0x00, 0x90, 0x01,                  // 0x13a Target +42: CHAP Secret Length 15, Offset 0x190
    0x0c, 0x00, 0xa0, 0x01,                  // 0x13e Target +46: Reverse CHAP Name Length 12, Offset 0x1a0
    0x10, 0x00, 0xad, 0x01,                  // 0x142 Target +50: Reverse CHAP Secret Length 16, Offset 0x1ad
    0x00, 0x00,                              // 0x146 padding
    // 0x148 initiator name "iqn.2001-04.org.example:host1" + NUL
    'i', 'q', 'n', '.', '2', '0', '0', '1', '-', '0', '4', '.',
    'o', 'r', 'g', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ':',
    'h', 'o', 's', 't', '1', 0x00,
    // 0x166 NIC 0 host name "host1" + NUL
    'h', 'o', 's', 't', '1', 0x00,
    // 0x16c target 0 name "iqn.2001-04.org.example:disk5" + NUL
    'i', 'q', 'n', '.', '2', '0', '0', '1', '-', '0', '4', '.',
    'o', 'r', 'g', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ':',
    'd', 'i', 's', 'k', '5', 0x00,
    // 0x18a target 0 CHAP name "alice" + NUL
    'a', 'l', 'i', 'c', 'e', 0x00,
    // 0x190 target 0 CHAP secret "alice-secret-12" + NUL
    'a', 'l', 'i', 'c', 'e', '-', 's', 'e', 'c', 'r', 'e', 't',
    '-', '1', '2', 0x00,
    // 0x1a0 target 0 reverse CHAP name "disk5-target" + NUL
    'd', 'i', 's', 'k', '5', '-', 't', 'a', 'r', 'g', 'e', 't',
    0x00,
    // 0x1ad target 0 reverse CHAP secret "target-secret-34" + NUL
    't', 'a', 'r', 'g', 'e', 't', '-', 's', 'e', 'c', 'r', 'e',
    't', '-', '3', '4', 0x00,
};
static_assert(sizeof(spec_table) == 446, "the Length field says 446");

#define ASSERT_ADDR(a, want)                                                                                           \
    do {                                                                                                               \
        assert_int_equal((a).family, AF_INET);                                                                         \
        assert_string_equal((a).text().c_str(), want);                                                                 \
    } while (0)

std::string no_ifname(const Mac &) { return ""; }

} // namespace

static void spec_table_checksum_is_right(void **)
{
    // The fixture itself: its bytes sum to 0, and the length field is its size.
    uint8_t sum = 0;
    for (uint8_t b : spec_table)
        sum += b;
    assert_int_equal(sum, 0);
    assert_int_equal(spec_table[4] | spec_table[5] << 8, sizeof spec_table);
}

static void spec_table_every_field(void **)
{
    Table t = parse(spec_table, sizeof spec_table);
    assert_string_equal(t.signature.c_str(), "iBFT");
    assert_string_equal(t.oem_id.c_str(), "HANDMD");
    assert_string_equal(t.oem_table_id.c_str(), "SPEC1.03");

    assert_true(t.has_initiator);
    const Initiator &i = t.initiator;
    assert_int_equal(i.index, 0);
    assert_int_equal(i.flags, 3);
    ASSERT_ADDR(i.isns_server, "192.168.7.2");
    assert_false(i.slp_server.set());
    assert_false(i.pri_radius_server.set());
    assert_false(i.sec_radius_server.set());
    assert_string_equal(i.name.c_str(), "iqn.2001-04.org.example:host1");

    assert_int_equal(t.nics.size(), 1);
    const Nic &n = t.nics[0];
    assert_int_equal(n.index, 0);
    assert_int_equal(n.flags, 3);
    assert_true(n.boot_selected());
    ASSERT_ADDR(n.ip, "192.168.7.21");
    assert_int_equal(n.prefix_len, 24);
    assert_int_equal(n.origin, 1);
    ASSERT_ADDR(n.gateway, "192.168.7.1");
    ASSERT_ADDR(n.primary_dns, "192.168.7.53");
    ASSERT_ADDR(n.secondary_dns, "192.168.7.54");
    assert_false(n.dhcp.set());
    assert_false(n.used_dhcp());
    assert_int_equal(n.vlan, 77);
    const Mac mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    assert_memory_equal(n.mac.data(), mac.data(), 6);
    assert_int_equal(n.pci_bdf, 0x0219);
    assert_string_equal(n.pci_path().c_str(), "0000:02:03.1");
    assert_string_equal(n.hostname.c_str(), "host1");

    assert_int_equal(t.targets.size(), 1);
    const Target &g = t.targets[0];
    assert_int_equal(g.index, 0);
    assert_int_equal(g.flags, 3);
    assert_true(g.boot_selected());
    ASSERT_ADDR(g.ip, "192.168.7.9");
    assert_int_equal(g.port, 3261);
    const uint8_t lun[8] = {0, 5, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(g.lun.data(), lun, 8);
    assert_int_equal(g.lun_number(), 5);
    assert_int_equal(g.chap_type, CHAP_MUTUAL);
    assert_int_equal(g.nic_assoc, 0);
    assert_string_equal(g.name.c_str(), "iqn.2001-04.org.example:disk5");
    assert_string_equal(g.chap_name.c_str(), "alice");
    assert_true(g.chap_secret.reveal() == "alice-secret-12");
    assert_string_equal(g.rev_chap_name.c_str(), "disk5-target");
    assert_true(g.rev_chap_secret.reveal() == "target-secret-34");
}

static void spec_table_records(void **)
{
    // What -f prints for it: open-iscsi's record text, field by field.
    Table t = parse(spec_table, sizeof spec_table);
    assert_string_equal(format_records(t, true, no_ifname).c_str(),
                        "# BEGIN RECORD 2.1.8\n"
                        "iface.initiatorname = iqn.2001-04.org.example:host1\n"
                        "iface.transport_name = tcp\n"
                        "iface.hwaddress = 02:11:22:33:44:55\n"
                        "iface.bootproto = STATIC\n"
                        "iface.ipaddress = 192.168.7.21\n"
                        "iface.prefix_len = 24\n"
                        "iface.subnet_mask = 255.255.255.0\n"
                        "iface.gateway = 192.168.7.1\n"
                        "iface.primary_dns = 192.168.7.53\n"
                        "iface.secondary_dns = 192.168.7.54\n"
                        "iface.vlan_id = 77\n"
                        "node.name = iqn.2001-04.org.example:disk5\n"
                        "node.conn[0].address = 192.168.7.9\n"
                        "node.conn[0].port = 3261\n"
                        "node.session.auth.username = alice\n"
                        "node.session.auth.password = alice-secret-12\n"
                        "node.session.auth.username_in = disk5-target\n"
                        "node.session.auth.password_in = target-secret-34\n"
                        "node.boot_lun = 05000000\n"
                        "# END RECORD\n");
}

// What both iPXE boots configured (see fixtures/ibft_ipxe_tables.hpp).
static void check_ipxe_common(const Table &t)
{
    assert_string_equal(t.signature.c_str(), "iBFT");
    assert_string_equal(t.oem_id.c_str(), "FENSYS");
    assert_string_equal(t.oem_table_id.c_str(), "iPXE");

    assert_true(t.has_initiator);
    assert_int_equal(t.initiator.flags, FLAG_VALID | FLAG_BOOT_SELECTED);
    assert_string_equal(t.initiator.name.c_str(), "iqn.2026-11.test.iscsiroot:initiator");
    assert_false(t.initiator.isns_server.set());

    assert_int_equal(t.nics.size(), 1);
    const Nic &n = t.nics[0];
    assert_int_equal(n.index, 0);
    assert_int_equal(n.flags, FLAG_VALID | FLAG_BOOT_SELECTED);
    assert_int_equal(n.prefix_len, 24); // netmask 255.255.255.0
    ASSERT_ADDR(n.gateway, "10.77.0.1");
    ASSERT_ADDR(n.primary_dns, "10.77.0.1");
    assert_false(n.secondary_dns.set());
    assert_int_equal(n.vlan, 0);
    const Mac mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}; // QEMU's default
    assert_memory_equal(n.mac.data(), mac.data(), 6);
    assert_string_equal(n.pci_path().c_str(), "0000:00:02.0"); // as the guest's kernel saw it
    assert_true(n.hostname.empty());

    assert_int_equal(t.targets.size(), 1);
    const Target &g = t.targets[0];
    assert_int_equal(g.index, 0);
    assert_int_equal(g.flags, FLAG_VALID | FLAG_BOOT_SELECTED);
    ASSERT_ADDR(g.ip, "10.77.0.1");
    assert_int_equal(g.port, 3260);
    assert_int_equal(g.lun_number(), 1);
    assert_int_equal(g.nic_assoc, 0);
    assert_string_equal(g.name.c_str(), "iqn.2026-11.test.iscsiroot:root");
    assert_int_equal(g.chap_type, CHAP_MUTUAL);
    assert_string_equal(g.chap_name.c_str(), "isrinit");
    assert_true(g.chap_secret.reveal() == "InitSecret-1234");
    assert_string_equal(g.rev_chap_name.c_str(), "isrtarget");
    assert_true(g.rev_chap_secret.reveal() == "TargetSecret-5678");
}

static void ipxe_static_table(void **)
{
    Table t = parse(ibft_fixtures::ipxe_static_chap, sizeof ibft_fixtures::ipxe_static_chap);
    check_ipxe_common(t);
    const Nic &n = t.nics[0];
    ASSERT_ADDR(n.ip, "10.77.0.2");
    assert_int_equal(n.origin, 1); // set by the script: manual
    assert_false(n.dhcp.set());
    assert_false(n.used_dhcp());
}

static void ipxe_dhcp_table(void **)
{
    Table t = parse(ibft_fixtures::ipxe_dhcp_chap, sizeof ibft_fixtures::ipxe_dhcp_chap);
    check_ipxe_common(t);
    const Nic &n = t.nics[0];
    ASSERT_ADDR(n.ip, "10.77.0.58"); // dnsmasq's DHCPACK
    assert_int_equal(n.origin, ORIGIN_DHCP);
    ASSERT_ADDR(n.dhcp, "10.77.0.1"); // its server identifier
    assert_true(n.used_dhcp());
}

static void ipxe_dhcp_records(void **)
{
    Table t = parse(ibft_fixtures::ipxe_dhcp_chap, sizeof ibft_fixtures::ipxe_dhcp_chap);
    assert_string_equal(format_records(t, false, no_ifname).c_str(),
                        "# BEGIN RECORD 2.1.8\n"
                        "iface.initiatorname = iqn.2026-11.test.iscsiroot:initiator\n"
                        "iface.transport_name = tcp\n"
                        "iface.hwaddress = 52:54:00:12:34:56\n"
                        "iface.bootproto = DHCP\n"
                        "iface.ipaddress = 10.77.0.58\n"
                        "iface.prefix_len = 24\n"
                        "iface.subnet_mask = 255.255.255.0\n"
                        "iface.gateway = 10.77.0.1\n"
                        "iface.primary_dns = 10.77.0.1\n"
                        "iface.vlan_id = 0\n"
                        "node.name = iqn.2026-11.test.iscsiroot:root\n"
                        "node.conn[0].address = 10.77.0.1\n"
                        "node.conn[0].port = 3260\n"
                        "node.session.auth.username = isrinit\n"
                        "node.session.auth.password = ********\n"
                        "node.session.auth.username_in = isrtarget\n"
                        "node.session.auth.password_in = ********\n"
                        "node.boot_lun = 01000000\n"
                        "# END RECORD\n");
}

static void ipxe_table_damaged(void **)
{
    // One flipped byte in a real table: the checksum catches it.
    uint8_t b[sizeof ibft_fixtures::ipxe_static_chap];
    memcpy(b, ibft_fixtures::ipxe_static_chap, sizeof b);
    b[0x1a0] ^= 0x01; // CHAP type 2 -> 3
    EXPECT_ERROR(parse(b, sizeof b), ISCSI_ERR_INVAL, "checksum is wrong");
    b[9] = (uint8_t)(b[9] - 1); // repaired: now the field itself is refused
    EXPECT_ERROR(parse(b, sizeof b), ISCSI_ERR_INVAL, "target structure 0: CHAP type 3 is unknown");
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(spec_table_checksum_is_right), cmocka_unit_test(spec_table_every_field),
        cmocka_unit_test(spec_table_records),           cmocka_unit_test(ipxe_static_table),
        cmocka_unit_test(ipxe_dhcp_table),              cmocka_unit_test(ipxe_dhcp_records),
        cmocka_unit_test(ipxe_table_damaged),
    };
    return cmocka_run_group_tests_name("ibft_fixtures", tests, nullptr, nullptr);
}
