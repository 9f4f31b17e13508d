#include "source.hpp"

#include "util/bytes.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/mac.hpp"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::ibft {
namespace {

bool read_all(const std::string &path, std::vector<uint8_t> &out, std::size_t max = 1 << 20)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    out.clear();
    uint8_t buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 && out.size() < max)
        out.insert(out.end(), buf, buf + n);
    close(fd);
    return n >= 0 && !out.empty();
}

bool attr(const std::string &dir, const char *name, std::string &v)
{
    std::ifstream f(dir + name);
    if (!f)
        return false;
    std::getline(f, v);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' '))
        v.pop_back();
    return true;
}

long num(const std::string &dir, const char *name, long def = 0)
{
    std::string v;
    if (!attr(dir, name, v) || v.empty())
        return def;
    return strtol(v.c_str(), nullptr, 10);
}

Address addr(const std::string &dir, const char *name)
{
    std::string v;
    if (!attr(dir, name, v))
        return {};
    auto a = Address::parse(v);
    return a ? *a : Address{};
}

std::string str(const std::string &dir, const char *name)
{
    std::string v;
    attr(dir, name, v);
    return v;
}

// The kernel prints the LUN as eight unpadded "%x" bytes; read back the
// unambiguous forms (8 digits: one per byte; 16 digits: two per byte).
std::array<uint8_t, 8> lun_from_text(const std::string &s)
{
    std::array<uint8_t, 8> lun{};
    auto hex = [](char c) { return (uint8_t)(isdigit((unsigned char)c) ? c - '0' : (tolower(c) - 'a' + 10) & 15); };
    if (s.size() == 8)
        for (int i = 0; i < 8; ++i)
            lun[i] = hex(s[i]);
    else if (s.size() == 16)
        for (int i = 0; i < 8; ++i)
            lun[i] = (uint8_t)(hex(s[2 * i]) << 4 | hex(s[2 * i + 1]));
    return lun;
}

std::vector<std::string> entries(const std::string &root, const char *prefix)
{
    std::vector<std::string> out;
    DIR *d = opendir(root.c_str());
    if (!d)
        return out;
    while (dirent *e = readdir(d))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            out.push_back(root + e->d_name + "/");
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

bool scan_low_memory(std::vector<uint8_t> &table)
{
    constexpr off_t START = 0x80000, END = 0x100000;
    int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    std::vector<uint8_t> mem(END - START);
    ssize_t n = pread(fd, mem.data(), mem.size(), START);
    close(fd);
    if (n != (ssize_t)mem.size())
        return false;
    for (std::size_t at = 0; at + ACPI_HEADER_LEN <= mem.size(); at += 16) {
        if (memcmp(&mem[at], "iBFT", 4) && memcmp(&mem[at], "IBFT", 4))
            continue;
        uint32_t len = bytes::get_le32(&mem[at + offsetof(layout::AcpiHeader, length)]);
        if (len < ACPI_HEADER_LEN || at + len > mem.size())
            continue;
        table.assign(mem.begin() + at, mem.begin() + at + len);
        return true;
    }
    return false;
}

} // namespace

Table from_sysfs(const std::string &root)
{
    Table t;
    t.signature = "iBFT";
    std::string ini = root + "initiator/";
    struct stat st;
    if (stat(ini.c_str(), &st) == 0) {
        t.has_initiator = true;
        t.initiator.index = (uint8_t)num(ini, "index");
        t.initiator.flags = (uint8_t)num(ini, "flags");
        t.initiator.name = str(ini, "initiator-name");
        t.initiator.isns_server = addr(ini, "isns-server");
    }
    for (const auto &dir : entries(root, "ethernet")) {
        Nic n;
        n.index = (uint8_t)num(dir, "index");
        n.flags = (uint8_t)num(dir, "flags");
        n.ip = addr(dir, "ip-addr");
        n.prefix_len = (uint8_t)num(dir, "prefix-len");
        n.origin = (uint8_t)num(dir, "origin");
        n.gateway = addr(dir, "gateway");
        n.primary_dns = addr(dir, "primary-dns");
        n.secondary_dns = addr(dir, "secondary-dns");
        n.dhcp = addr(dir, "dhcp");
        n.vlan = (uint16_t)num(dir, "vlan");
        n.hostname = str(dir, "hostname");
        if (auto mac = parse_mac(str(dir, "mac")))
            n.mac = *mac;
        char link[256];
        ssize_t l = readlink((dir + "device").c_str(), link, sizeof link - 1);
        if (l > 0) {
            link[l] = 0;
            unsigned dom, bus, dev, fn;
            const char *base = strrchr(link, '/');
            if (sscanf(base ? base + 1 : link, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) == 4)
                n.pci_bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
        }
        t.nics.push_back(n);
    }
    for (const auto &dir : entries(root, "target")) {
        Target g;
        g.index = (uint8_t)num(dir, "index");
        g.flags = (uint8_t)num(dir, "flags");
        g.ip = addr(dir, "ip-addr");
        g.port = (uint16_t)num(dir, "port", 3260);
        g.lun = lun_from_text(str(dir, "lun"));
        g.nic_assoc = (uint8_t)num(dir, "nic-assoc");
        g.chap_type = (uint8_t)num(dir, "chap-type");
        g.name = str(dir, "target-name");
        g.chap_name = str(dir, "chap-name");
        g.chap_secret = Secret(str(dir, "chap-secret"));
        g.rev_chap_name = str(dir, "rev-chap-name");
        g.rev_chap_secret = Secret(str(dir, "rev-chap-name-secret"));
        t.targets.push_back(std::move(g));
    }
    if (!t.has_initiator && t.nics.empty() && t.targets.empty())
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "iBFT: " + root + " holds no entries");
    return t;
}

Table load_from(const std::string &path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "iBFT: cannot read " + path);
    if (S_ISDIR(st.st_mode))
        return from_sysfs(path.back() == '/' ? path : path + "/");
    std::vector<uint8_t> raw;
    if (!read_all(path, raw))
        throw Error(ISCSI_ERR_NO_OBJS_FOUND, "iBFT: cannot read " + path);
    return parse(raw.data(), raw.size());
}

Table load(std::string &where, const ModuleLoader &load_module)
{
    std::vector<uint8_t> raw;
    for (const char *sig : {"iBFT", "IBFT", "BIFT"}) {
        std::string path = std::string("/sys/firmware/acpi/tables/") + sig;
        if (read_all(path, raw)) {
            where = path;
            return parse(raw.data(), raw.size());
        }
    }
    const std::string sys = "/sys/firmware/ibft/";
    struct stat st;
    if (stat(sys.c_str(), &st) != 0 && load_module)
        load_module("iscsi_ibft");
    if (stat((sys + "initiator").c_str(), &st) == 0 || !entries(sys, "target").empty()) {
        where = sys;
        return from_sysfs(sys);
    }
    if (scan_low_memory(raw)) {
        where = "/dev/mem (low-memory scan)";
        return parse(raw.data(), raw.size());
    }
    throw Error(ISCSI_ERR_NO_OBJS_FOUND,
                "iBFT: no table found (no ACPI iBFT, no /sys/firmware/ibft, nothing in low memory)");
}

} // namespace isr::ibft
