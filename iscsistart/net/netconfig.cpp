#include "netconfig.hpp"

#include "rtnl.hpp"
#include "../kernel/modules.hpp"
#include "../kernel/nl_wake.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"
#include "util/clock.hpp"
#include "util/mac.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <net/if.h>
#include <set>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace isr::net {

namespace {

// the longest wait between two looks; a link event ends it early (NetlinkWake)
constexpr int POLL_MS = 20;

// "0000:00:03.0": only the characters a PCI address has, so the sysfs
// path cannot leave /sys/bus/pci/devices.
bool plausible_bdf(const std::string &s)
{
    if (s.empty() || s.size() > 32)
        return false;
    for (char ch : s)
        if (!isxdigit((unsigned char)ch) && ch != ':' && ch != '.')
            return false;
    return true;
}

bool read_line(const std::string &path, std::string &out)
{
    std::ifstream f(path);
    if (!f || !std::getline(f, out))
        return false;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return !out.empty();
}

// Whether a driver is bound to the device in sysfs directory `dir`.
bool has_driver(const std::string &dir)
{
    struct stat st;
    return lstat((dir + "/driver").c_str(), &st) == 0;
}

// The modaliases of PCI device directory `dir` and of its child devices
// (virtio_pci creates a virtio device that needs virtio_net; nothing else
// loads it without udev) that have no driver bound. `missing` is set when
// the device itself has no modalias.
std::vector<std::string> unbound_aliases(const std::string &dir, bool &missing)
{
    std::vector<std::string> aliases;
    std::string a;
    missing = !read_line(dir + "/modalias", a);
    if (!missing && !has_driver(dir))
        aliases.push_back(a);
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *e = readdir(d)) {
            // Real subdirectories only: symlinks such as firmware_node lead
            // to other devices' modaliases.
            if (e->d_type != DT_DIR || e->d_name[0] == '.')
                continue;
            const std::string child = dir + "/" + e->d_name;
            if (read_line(child + "/modalias", a) && !has_driver(child))
                aliases.push_back(a);
        }
        closedir(d);
    }
    return aliases;
}

// Load the drivers for PCI device `bdf` through libkmod: its own modalias
// and those of its child devices, skipping devices that have a driver
// bound. A driver's probe creates its child devices before the load
// returns, so the device and its children are looked at again at once (at
// most 4 passes), not on the caller's next poll. `tried` holds the modaliases handled so
// far; called on every poll, it loads only new ones.
void load_pci_drivers(const std::string &bdf, std::set<std::string> &tried)
{
    const std::string dir = "/sys/bus/pci/devices/" + bdf;
    for (int level = 0; level < 4; ++level) {
        bool missing = false, loaded = false;
        const auto aliases = unbound_aliases(dir, missing);
        if (missing && tried.insert("missing:" + bdf).second)
            log::info("net: %s: no such PCI device (no %s/modalias)", bdf.c_str(), dir.c_str());
        for (auto &alias : aliases) {
            if (!tried.insert(alias).second)
                continue;
            log::info("net: %s: loading the driver for %s", bdf.c_str(), alias.c_str());
            kernel::load_module(alias); // logs its own failure; we then time out naming the MAC
            loaded = true;
        }
        if (!loaded)
            return;
    }
}

// load_pci_drivers() for every PCI network controller (class 0x02xxxx),
// in address order (the order drivers probe in decides names like eth0).
void load_network_drivers(std::set<std::string> &tried)
{
    const std::string bus = "/sys/bus/pci/devices";
    std::vector<std::string> nics;
    if (DIR *d = opendir(bus.c_str())) {
        while (dirent *e = readdir(d)) {
            std::string cls;
            if (e->d_name[0] != '.' && read_line(bus + "/" + e->d_name + "/class", cls) && cls.rfind("0x02", 0) == 0)
                nics.push_back(e->d_name);
        }
        closedir(d);
    }
    std::sort(nics.begin(), nics.end());
    for (auto &bdf : nics)
        load_pci_drivers(bdf, tried);
}

// "net: eth0 has MAC aa:bb:cc:dd:ee:ff (appeared after 120 ms)"; `waited`
// < 0: it was there at the first look.
void log_found(const Link &l, const std::string &mac, long waited)
{
    if (waited >= 0)
        log::info("net: %s has MAC %s (appeared after %ld ms)", l.name.c_str(), mac.c_str(), waited);
    else
        log::info("net: %s has MAC %s", l.name.c_str(), mac.c_str());
}

// One poll of the carrier wait: set every candidate link up that is down
// and return the first (lowest ifindex) with carrier. `seen` gets the
// candidates' names, `refused` the indexes that could not be set up (a
// warning is logged once for each).
std::optional<Link> first_with_carrier(Rtnl &nl, std::vector<std::string> &seen, std::set<int> &refused)
{
    auto links = nl.links();
    std::sort(links.begin(), links.end(), [](const Link &a, const Link &b) { return a.index < b.index; });
    seen.clear();
    for (auto &l : links) {
        if (!l.mac || (l.flags & IFF_LOOPBACK) || l.stacked())
            continue;
        if (l.has_carrier())
            return l;
        seen.push_back(l.name);
        if ((l.flags & IFF_UP) || refused.count(l.index))
            continue;
        try {
            nl.set_up(l);
        } catch (const Error &e) {
            if (e.code() == ISCSI_ERR_ACCESS)
                throw;
            refused.insert(l.index);
            log::info("warning: %s; not waiting for its carrier", e.what());
        }
    }
    return std::nullopt;
}

void mkdir_parents(const std::string &path)
{
    for (std::size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
        std::string d = path.substr(0, pos);
        if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            throw Error(ISCSI_ERR, "resolv.conf: cannot create " + d + ": " + strerror(errno));
    }
}

// Find the interface with c.mac, loading drivers and waiting (see
// ensure_nic_driver()); logs one line naming it.
Link find_nic(Rtnl &nl, const NicConfig &c, int timeout_ms)
{
    if (!c.pci_bdf.empty() && !plausible_bdf(c.pci_bdf))
        throw Error(ISCSI_ERR_INVAL, "net: bad PCI address \"" + c.pci_bdf + "\"");
    const std::string mac = format_mac(c.mac);
    const long t0 = monotonic_ms();
    std::set<std::string> tried;
    auto wake = kernel::NetlinkWake::links(); // before the first look
    auto link = nl.link_by_mac(c.mac);
    const bool at_once = link.has_value();
    while (!link) {
        if (!c.pci_bdf.empty())
            load_pci_drivers(c.pci_bdf, tried);
        if (monotonic_ms() - t0 >= timeout_ms) {
            std::string where = c.pci_bdf.empty() ? "" : " (PCI " + c.pci_bdf + ")";
            throw Error(ISCSI_ERR_TRANS, "net: no network interface with MAC " + mac + where + " after " +
                                             std::to_string(timeout_ms) + " ms");
        }
        wake.wait(POLL_MS);
        link = nl.link_by_mac(c.mac);
    }
    log_found(*link, mac, at_once ? -1 : monotonic_ms() - t0);
    return *link;
}

} // namespace

Link wait_for_link(Rtnl &nl, const LinkWanted &w, int timeout_ms)
{
    if (timeout_ms < 0)
        timeout_ms = 0;
    const long t0 = monotonic_ms();
    std::set<std::string> tried;
    std::set<int> refused;
    std::vector<std::string> seen;
    auto wake = kernel::NetlinkWake::links();
    for (bool first = true;; first = false) {
        load_network_drivers(tried);
        std::optional<Link> link;
        if (!w.name.empty()) {
            link = nl.link_by_name(w.name);
            if (link && w.mac && link->mac != w.mac && link->perm_mac != w.mac)
                throw Error(ISCSI_ERR_INVAL, "net: " + w.name + " has MAC " +
                                                 (link->mac ? format_mac(*link->mac) : std::string("none")) +
                                                 ", ifname= says " + format_mac(*w.mac));
        } else if (w.mac) {
            link = nl.link_by_mac(*w.mac);
        } else {
            link = first_with_carrier(nl, seen, refused);
        }
        const long waited = monotonic_ms() - t0;
        if (link) {
            if (w.name.empty() && !w.mac)
                log::info("net: %s has carrier after %ld ms", link->name.c_str(), waited);
            else
                log_found(*link, link->mac ? format_mac(*link->mac) : "none", first ? -1 : waited);
            return *link;
        }
        if (waited >= timeout_ms) {
            const std::string after = " after " + std::to_string(timeout_ms) + " ms";
            if (!w.name.empty())
                throw Error(ISCSI_ERR_TRANS, "net: no interface " + w.name +
                                                 (w.mac ? " (MAC " + format_mac(*w.mac) + ")" : "") + after);
            if (w.mac)
                throw Error(ISCSI_ERR_TRANS, "net: no network interface with MAC " + format_mac(*w.mac) + after);
            std::string list;
            for (auto &n : seen)
                list += (list.empty() ? " (seen: " : ", ") + n;
            list += list.empty() ? " (no Ethernet interface seen)" : ")";
            throw Error(ISCSI_ERR_TRANS, "net: no interface with carrier" + after + list);
        }
        wake.wait(POLL_MS);
    }
}

void configure_link(Rtnl &nl, const Link &dev, const IpAddress &addr, uint8_t prefix_len, const IpAddress &gateway)
{
    nl.set_up(dev);
    std::string summary = "link up";
    if (addr.set()) {
        nl.add_address(dev, addr, prefix_len);
        summary += ", " + addr.text() + "/" + std::to_string(prefix_len);
    }
    if (gateway.set()) {
        nl.add_default_route(dev, gateway);
        summary += ", default via " + gateway.text();
    }
    log::info("%s: %s", dev.name.c_str(), summary.c_str());
}

std::string ifname_by_mac(const std::array<uint8_t, 6> &mac)
{
    try {
        Rtnl nl;
        auto l = nl.link_by_mac(mac);
        return l ? l->name : "";
    } catch (const Error &) {
        return "";
    }
}

std::string ensure_nic_driver(const NicConfig &c, int timeout_ms)
{
    Rtnl nl;
    return find_nic(nl, c, timeout_ms < 0 ? 0 : timeout_ms).name;
}

std::string configure_nic(const NicConfig &c, int timeout_ms)
{
    if (timeout_ms < 0)
        timeout_ms = 0;
    // Check what the kernel would refuse before waiting for anything.
    if (c.address.set() && c.prefix_len > (c.address.family == AF_INET ? 32 : 128))
        throw Error(ISCSI_ERR_INVAL, "net: prefix length /" + std::to_string(c.prefix_len) + " is too long for " +
                                         c.address.text());
    if (c.vlan > 4094)
        throw Error(ISCSI_ERR_INVAL, "net: VLAN id " + std::to_string(c.vlan) + " is not in 1..4094");

    Rtnl nl;
    // 1. The interface, by MAC; load its driver and wait when it is not there.
    const Link nic = find_nic(nl, c, timeout_ms);

    // 2. The VLAN device on top (its lower device up first).
    Link dev = nic;
    if (c.vlan != 0) {
        nl.set_up(nic);
        log::info("%s: link up", nic.name.c_str());
        dev = nl.create_vlan(nic, c.vlan);
        log::info("%s: VLAN %u on %s", dev.name.c_str(), (unsigned)c.vlan, nic.name.c_str());
    }

    // 3. Up, address and default route.
    auto wake = kernel::NetlinkWake::links(); // before the link goes up: its carrier event
    configure_link(nl, dev, c.address, c.prefix_len, c.gateway);

    // 4. Carrier: a missing cable shows up as a login timeout later; say so
    // here, but a link without carrier reporting must not stop the boot.
    const long t1 = monotonic_ms();
    for (;;) {
        if (nl.carrier(dev.index)) {
            log::info("%s: carrier up after %ld ms", dev.name.c_str(), monotonic_ms() - t1);
            break;
        }
        if (monotonic_ms() - t1 >= timeout_ms) {
            log::info("warning: %s: no carrier after %d ms (cable, switch port?); continuing", dev.name.c_str(),
                      timeout_ms);
            break;
        }
        wake.wait(POLL_MS);
    }
    return dev.name;
}

void write_resolv_conf(const std::vector<IpAddress> &dns, const std::string &path)
{
    std::string text, list;
    for (std::size_t i = 0; i < dns.size(); ++i) {
        const IpAddress &a = dns[i];
        // each server once, first place kept (two NICs often name the same)
        if (!a.set() || std::find(dns.begin(), dns.begin() + (long)i, a) != dns.begin() + (long)i)
            continue;
        text += "nameserver " + a.text() + "\n";
        list += (list.empty() ? "" : " ") + a.text();
    }
    if (text.empty())
        return;
    mkdir_parents(path);
    const std::string tmp = path + ".isr-tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(ISCSI_ERR, "resolv.conf: cannot write " + path + ": " + strerror(errno));
    std::size_t off = 0;
    while (off < text.size()) {
        ssize_t n = write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            unlink(tmp.c_str());
            throw Error(ISCSI_ERR, "resolv.conf: cannot write " + path + ": " + strerror(e));
        }
        off += (std::size_t)n;
    }
    if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        throw Error(ISCSI_ERR, "resolv.conf: cannot write " + path + ": " + strerror(e));
    }
    log::info("net: %s: nameserver %s", path.c_str(), list.c_str());
}

} // namespace isr::net
