// iBFT parsing, on tables made by the test writer and then damaged.
#include "test_util.hpp"

#include "../../ibft/ibft.hpp"
#include "../../ibft/records.hpp"
#include "../../iscsistart/ibft_nic.hpp"

#include <cstring>

#include <sys/socket.h>

using namespace isr;
using namespace isr::ibft;

namespace {

Address ip(const char *s) { return *Address::parse(s); }

Nic make_nic(uint8_t index, const char *addr, uint8_t last_mac)
{
    Nic n;
    n.index = index;
    n.flags = FLAG_VALID | (index == 0 ? FLAG_BOOT_SELECTED : 0);
    n.ip = ip(addr);
    n.prefix_len = 24;
    n.origin = ORIGIN_DHCP;
    n.gateway = ip("10.77.0.254");
    n.primary_dns = ip("10.77.0.53");
    n.dhcp = ip("10.77.0.1");
    n.mac = {0x52, 0x54, 0x00, 0x12, 0x34, last_mac};
    n.pci_bdf = 0x0018; // 00:03.0
    n.hostname = "client" + std::to_string(index);
    return n;
}

Target make_target(uint8_t index, const char *name)
{
    Target t;
    t.index = index;
    t.flags = FLAG_VALID | (index == 0 ? FLAG_BOOT_SELECTED : 0);
    t.ip = ip("10.77.0.1");
    t.port = 3260;
    t.lun = {0, 1, 0, 0, 0, 0, 0, 0};
    t.nic_assoc = index;
    t.name = name;
    return t;
}

Table one_of_each()
{
    Table t;
    t.oem_id = "FENSYS";
    t.oem_table_id = "iPXE";
    t.has_initiator = true;
    t.initiator.flags = FLAG_VALID | FLAG_BOOT_SELECTED;
    t.initiator.name = "iqn.2026-11.test:client";
    t.nics.push_back(make_nic(0, "10.77.0.2", 0x56));
    t.targets.push_back(make_target(0, "iqn.2026-11.test:root"));
    return t;
}

Table with_mutual_chap(Table t)
{
    t.targets[0].chap_type = CHAP_MUTUAL;
    t.targets[0].chap_name = "client";
    t.targets[0].chap_secret = Secret("ClientSecret12");
    t.targets[0].rev_chap_name = "target";
    t.targets[0].rev_chap_secret = Secret("TargetSecret34");
    return t;
}

void fix_checksum(std::vector<uint8_t> &b)
{
    b[9] = 0;
    uint8_t sum = 0;
    for (std::size_t i = 0; i < b.size(); ++i)
        sum += b[i];
    b[9] = (uint8_t)(0x100 - sum);
}

void put16(std::vector<uint8_t> &b, std::size_t at, uint16_t v)
{
    b[at] = v & 0xff;
    b[at + 1] = v >> 8;
}

uint16_t get16(const std::vector<uint8_t> &b, std::size_t at) { return (uint16_t)(b[at] | b[at + 1] << 8); }

Table parse_vec(const std::vector<uint8_t> &b) { return parse(b.data(), b.size()); }

// `good` with the 16-bit field at `at` set to `v` (or the byte, with
// damaged8), checksum repaired so the parser looks further.
std::vector<uint8_t> damaged16(std::vector<uint8_t> b, std::size_t at, uint16_t v)
{
    put16(b, at, v);
    fix_checksum(b);
    return b;
}

std::vector<uint8_t> damaged8(std::vector<uint8_t> b, std::size_t at, uint8_t v)
{
    b[at] = v;
    fix_checksum(b);
    return b;
}

// Control structure slots: initiator, nic0, target0, nic1, target1, ...
constexpr std::size_t SLOT_INITIATOR = ACPI_HEADER_LEN + 8;
constexpr std::size_t SLOT_NIC0 = ACPI_HEADER_LEN + 10;
constexpr std::size_t SLOT_TGT0 = ACPI_HEADER_LEN + 12;
constexpr std::size_t SLOT_NIC1 = ACPI_HEADER_LEN + 14;

} // namespace

static void one_nic_one_target(void **)
{
    auto b = build(one_of_each());
    Table t = parse_vec(b);
    assert_string_equal(t.signature.c_str(), "iBFT");
    assert_string_equal(t.oem_id.c_str(), "FENSYS");
    assert_string_equal(t.oem_table_id.c_str(), "iPXE");
    assert_true(t.has_initiator);
    assert_string_equal(t.initiator.name.c_str(), "iqn.2026-11.test:client");
    assert_int_equal(t.nics.size(), 1);
    const Nic &n = t.nics[0];
    assert_string_equal(n.ip.text().c_str(), "10.77.0.2");
    assert_int_equal(n.ip.family, AF_INET);
    assert_int_equal(n.prefix_len, 24);
    assert_string_equal(n.gateway.text().c_str(), "10.77.0.254");
    assert_string_equal(n.primary_dns.text().c_str(), "10.77.0.53");
    assert_false(n.secondary_dns.set());
    assert_true(n.used_dhcp());
    assert_int_equal(n.mac[5], 0x56);
    assert_string_equal(n.pci_path().c_str(), "0000:00:03.0");
    assert_string_equal(n.hostname.c_str(), "client0");
    assert_true(n.boot_selected());
    const Target &g = t.targets[0];
    assert_string_equal(g.name.c_str(), "iqn.2026-11.test:root");
    assert_string_equal(g.ip.text().c_str(), "10.77.0.1");
    assert_int_equal(g.port, 3260);
    assert_int_equal(g.lun_number(), 1);
    assert_int_equal(g.chap_type, CHAP_NONE);
    assert_true(g.chap_secret.empty());
    assert_non_null(t.nic(0));
    assert_null(t.nic(1));
}

static void chap_and_mutual_chap(void **)
{
    Table t = with_mutual_chap(one_of_each());
    Table p = parse_vec(build(t));
    const Target &g = p.targets[0];
    assert_int_equal(g.chap_type, CHAP_MUTUAL);
    assert_string_equal(g.chap_name.c_str(), "client");
    assert_true(g.chap_secret.reveal() == "ClientSecret12");
    assert_string_equal(g.rev_chap_name.c_str(), "target");
    assert_true(g.rev_chap_secret.reveal() == "TargetSecret34");
}

static void two_nics_two_targets_and_expansion(void **)
{
    Table t = one_of_each();
    t.nics.push_back(make_nic(1, "10.77.1.2", 0x57));
    t.targets.push_back(make_target(1, "iqn.2026-11.test:second"));
    Table p = parse_vec(build(t));
    assert_int_equal(p.nics.size(), 2);
    assert_int_equal(p.targets.size(), 2);
    assert_string_equal(p.nics[1].ip.text().c_str(), "10.77.1.2");
    assert_false(p.nics[1].boot_selected());
    assert_string_equal(p.targets[1].name.c_str(), "iqn.2026-11.test:second");
    assert_int_equal(p.targets[1].nic_assoc, 1);

    // A third pair goes into the control structure's expansion offsets.
    t.nics.push_back(make_nic(2, "10.77.2.2", 0x58));
    t.targets.push_back(make_target(2, "iqn.2026-11.test:third"));
    auto b = build(t);
    assert_true(get16(b, ACPI_HEADER_LEN + 2) > CONTROL_LEN);
    p = parse_vec(b);
    assert_int_equal(p.nics.size(), 3);
    assert_string_equal(p.targets[2].name.c_str(), "iqn.2026-11.test:third");
}

static void ipv6_and_vlan(void **)
{
    Table t = one_of_each();
    t.nics[0].ip = ip("fd00:77::2");
    t.nics[0].prefix_len = 64;
    t.nics[0].gateway = ip("fd00:77::1");
    t.nics[0].vlan = 100;
    t.nics[0].origin = 1; // manual
    t.nics[0].dhcp = {};
    t.targets[0].ip = ip("fd00:77::10");
    t.targets[0].port = 3261;
    Table p = parse_vec(build(t));
    assert_int_equal(p.nics[0].ip.family, AF_INET6);
    assert_string_equal(p.nics[0].ip.text().c_str(), "fd00:77::2");
    assert_int_equal(p.nics[0].prefix_len, 64);
    assert_int_equal(p.nics[0].vlan, 100);
    assert_false(p.nics[0].used_dhcp());
    assert_string_equal(p.targets[0].ip.text().c_str(), "fd00:77::10");
    assert_int_equal(p.targets[0].port, 3261);
}

static void lun_forms(void **)
{
    Target t;
    t.lun = {0x00, 0x07, 0, 0, 0, 0, 0, 0};
    assert_int_equal(t.lun_number(), 7);
    t.lun = {0x41, 0x02, 0, 0, 0, 0, 0, 0}; // flat space: 0x102
    assert_int_equal(t.lun_number(), 0x102);
}

static void bad_headers(void **)
{
    auto good = build(one_of_each());
    EXPECT_ERROR(parse_vec(damaged8(good, 0, 'X')), ISCSI_ERR_INVAL, "signature");
    EXPECT_ERROR(parse_vec(damaged8(good, 8, 2)), ISCSI_ERR_INVAL, "revision 2");
    auto b = good;
    b[20] ^= 1; // checksum not repaired
    EXPECT_ERROR(parse_vec(b), ISCSI_ERR_INVAL, "checksum is wrong");
    EXPECT_ERROR(parse(good.data(), good.size() - 8), ISCSI_ERR_INVAL, "truncated");
    EXPECT_ERROR(parse(good.data(), 40), ISCSI_ERR_INVAL, "shorter than its headers");
    EXPECT_ERROR(parse_vec(damaged8(good, ACPI_HEADER_LEN, 3)), ISCSI_ERR_INVAL, "control structure id is 3");
    EXPECT_ERROR(parse_vec(damaged16(good, ACPI_HEADER_LEN + 2, 1000)), ISCSI_ERR_INVAL,
                 "control structure length 1000");
}

static void bad_offsets(void **)
{
    auto good = build(one_of_each());
    uint16_t nic0 = get16(good, SLOT_NIC0);
    EXPECT_ERROR(parse_vec(damaged16(good, SLOT_NIC0, (uint16_t)(good.size() - 4))), ISCSI_ERR_INVAL,
                 "points outside the table");
    EXPECT_ERROR(parse_vec(damaged16(good, SLOT_NIC1, nic0)), ISCSI_ERR_INVAL, "overlaps"); // same NIC twice
    EXPECT_ERROR(parse_vec(damaged16(good, SLOT_TGT0, 20)), ISCSI_ERR_INVAL,
                 "control offset #2 (20) points into the table header");
    // Overlapping the NIC, misaligned: the "structure" found there is junk.
    EXPECT_ERROR(parse_vec(damaged16(good, SLOT_INITIATOR, nic0 + 2)), ISCSI_ERR_INVAL, "control offset #0");
}

static void bad_strings(void **)
{
    auto good = build(one_of_each());
    std::size_t name_off = get16(good, SLOT_TGT0) + 36;
    EXPECT_ERROR(parse_vec(damaged16(good, name_off, (uint16_t)(good.size() - 2))), ISCSI_ERR_INVAL,
                 "target 0 name: offset");
    EXPECT_ERROR(parse_vec(damaged16(good, name_off, get16(good, SLOT_NIC0))), ISCSI_ERR_INVAL,
                 "target 0 name: string at offset");
}

static void bad_structures(void **)
{
    auto good = build(one_of_each());
    std::size_t nic = get16(good, SLOT_NIC0), tgt = get16(good, SLOT_TGT0);
    EXPECT_ERROR(parse_vec(damaged16(good, nic + 2, 90)), ISCSI_ERR_INVAL, "NIC structure 0 length 90, expected 102");
    EXPECT_ERROR(parse_vec(damaged8(good, nic, 9)), ISCSI_ERR_INVAL, "unknown id 9");
    EXPECT_ERROR(parse_vec(damaged8(good, nic + 22, 40)), ISCSI_ERR_INVAL, "prefix length 40"); // IPv4 /40
    EXPECT_ERROR(parse_vec(damaged8(good, tgt + 32, 7)), ISCSI_ERR_INVAL, "CHAP type 7");
}

static void records_mask_secrets(void **)
{
    Table t = with_mutual_chap(one_of_each());
    auto none = [](const std::array<uint8_t, 6> &) { return std::string(); };
    std::string hidden = format_records(t, false, none);
    assert_null(strstr(hidden.c_str(), "ClientSecret12"));
    assert_null(strstr(hidden.c_str(), "TargetSecret34"));
    assert_non_null(strstr(hidden.c_str(), "node.session.auth.password = ********\n"));
    assert_non_null(strstr(hidden.c_str(), "node.session.auth.username_in = target\n"));
    std::string shown = format_records(t, true, [](const std::array<uint8_t, 6> &) { return std::string("eth0"); });
    assert_non_null(strstr(shown.c_str(), "node.session.auth.password_in = TargetSecret34\n"));
    assert_non_null(strstr(shown.c_str(), "iface.net_ifacename = eth0\n"));
    assert_true(shown.rfind("# BEGIN RECORD 2.1.8\niface.initiatorname = iqn.2026-11.test:client\n", 0) == 0);
}

static void records_skip_targets_without_nic(void **)
{
    Table t = one_of_each();
    t.targets[0].nic_assoc = 5;
    assert_true(format_records(t, false, [](const std::array<uint8_t, 6> &) { return std::string(); }).empty());
}

static void boot_selection(void **)
{
    Table t = one_of_each();
    t.nics.push_back(make_nic(1, "10.77.1.2", 0x57));
    t.targets.push_back(make_target(1, "iqn.2026-11.test:second"));
    // Only target 0 is boot-selected.
    auto b = boot_targets(t);
    assert_int_equal(b.size(), 1);
    assert_int_equal(b[0]->index, 0);
    // None selected: every valid target, in index order.
    t.targets[0].flags = FLAG_VALID;
    std::swap(t.targets[0], t.targets[1]);
    b = boot_targets(t);
    assert_int_equal(b.size(), 2);
    assert_int_equal(b[0]->index, 0);
    assert_int_equal(b[1]->index, 1);
    // Boot NICs: the selected one first; flags 0 means unused.
    t.nics[0].flags = FLAG_VALID;
    t.nics[1].flags = FLAG_VALID | FLAG_BOOT_SELECTED;
    auto n = boot_nics(t);
    assert_int_equal(n.size(), 2);
    assert_int_equal(n[0]->index, 1);
    assert_int_equal(n[1]->index, 0);
    // iscsistart's settings for them, in the same order
    auto c = boot_nic_configs(t);
    assert_int_equal(c.size(), 2);
    assert_int_equal(c[0].mac[5], 0x57);
    assert_string_equal(c[0].pci_bdf.c_str(), "0000:00:03.0");
    assert_int_equal(c[1].dns.size(), 1);
    assert_string_equal(c[1].dns[0].text().c_str(), "10.77.0.53");
    assert_string_equal(c[1].address.text().c_str(), "10.77.0.2");
    assert_string_equal(c[1].gateway.text().c_str(), "10.77.0.254");
    assert_int_equal(c[1].prefix_len, 24);
    assert_true(c[1].dhcp);
    assert_string_equal(c[1].hostname.c_str(), "client0");
    t.nics[0].flags = 0;
    assert_int_equal(boot_nics(t).size(), 1);
    t.nics[1].pci_bdf = 0;
    assert_true(boot_nic_configs(t)[0].pci_bdf.empty());
}

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(one_nic_one_target), cmocka_unit_test(chap_and_mutual_chap),
        cmocka_unit_test(two_nics_two_targets_and_expansion), cmocka_unit_test(ipv6_and_vlan),
        cmocka_unit_test(lun_forms), cmocka_unit_test(bad_headers),
        cmocka_unit_test(bad_offsets), cmocka_unit_test(bad_strings),
        cmocka_unit_test(bad_structures),
        cmocka_unit_test(records_mask_secrets), cmocka_unit_test(records_skip_targets_without_nic),
        cmocka_unit_test(boot_selection),
    };
    return cmocka_run_group_tests_name("ibft", tests, nullptr, nullptr);
}
