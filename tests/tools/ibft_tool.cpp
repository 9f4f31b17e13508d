// ibft_tool: write an iBFT table file for tests and fuzz seeds.
//   ibft_tool OUT [--mutual] [--ipv6] [--vlan N] [--two]
// The table has one initiator, NIC 0 (10.77.0.2/24, DHCP origin,
// 52:54:00:12:34:56 at 00:03.0) and target 0 (10.77.0.1:3260 LUN 1).
#include "../../ibft/ibft.hpp"

#include <cstdio>
#include <cstring>
#include <string>

using namespace isr;
using namespace isr::ibft;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ibft_tool OUT [--mutual] [--ipv6] [--vlan N] [--two]\n");
        return 2;
    }
    Table t;
    t.oem_id = "ISRTST";
    t.oem_table_id = "ibfttool";
    t.has_initiator = true;
    t.initiator.flags = FLAG_VALID | FLAG_BOOT_SELECTED;
    t.initiator.name = "iqn.2026-11.test.iscsiroot:initiator";
    Nic n;
    n.flags = FLAG_VALID | FLAG_BOOT_SELECTED;
    n.ip = *Address::parse("10.77.0.2");
    n.prefix_len = 24;
    n.origin = ORIGIN_DHCP;
    n.gateway = *Address::parse("10.77.0.1");
    n.primary_dns = *Address::parse("10.77.0.1");
    n.dhcp = *Address::parse("10.77.0.1");
    n.mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    n.pci_bdf = 0x18;
    Target g;
    g.flags = FLAG_VALID | FLAG_BOOT_SELECTED;
    g.ip = *Address::parse("10.77.0.1");
    g.port = 3260;
    g.lun = {0, 1, 0, 0, 0, 0, 0, 0};
    g.name = "iqn.2026-11.test.iscsiroot:root";
    for (int i = 2; i < argc; ++i) {
        if (!strcmp(argv[i], "--mutual")) {
            g.chap_type = CHAP_MUTUAL;
            g.chap_name = "isrinit";
            g.chap_secret = Secret("InitSecret-1234");
            g.rev_chap_name = "isrtarget";
            g.rev_chap_secret = Secret("TargetSecret-5678");
        } else if (!strcmp(argv[i], "--ipv6")) {
            n.ip = *Address::parse("fd00:77::2");
            n.prefix_len = 64;
            n.gateway = *Address::parse("fd00:77::1");
            g.ip = *Address::parse("fd00:77::1");
        } else if (!strcmp(argv[i], "--vlan") && i + 1 < argc) {
            n.vlan = (uint16_t)std::stoi(argv[++i]);
        } else if (!strcmp(argv[i], "--two")) {
            Nic n2 = n;
            n2.index = 1;
            n2.flags = FLAG_VALID;
            n2.mac[5] = 0x57;
            t.nics.push_back(n);
            n = n2;
            Target g2 = g;
            g2.index = 1;
            g2.flags = FLAG_VALID;
            g2.nic_assoc = 1;
            g2.name = "iqn.2026-11.test.iscsiroot:second";
            t.targets.push_back(g);
            g = g2;
        } else {
            fprintf(stderr, "ibft_tool: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    t.nics.push_back(n);
    t.targets.push_back(g);
    auto b = build(t);
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(b.data(), 1, b.size(), f) != b.size() || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
