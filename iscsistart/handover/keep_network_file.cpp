// The writer of keep_network.hpp's files (the I/O half).
#include "keep_network.hpp"

#include "util/errors.hpp"
#include "util/file_write.hpp"

namespace isr::handover {

void write_keep_network(const BootInterface &b, const std::string &root)
{
    const std::string &n = b.ifname;
    if (n.empty() || n == "." || n == ".." || n.find_first_of("/\n") != std::string::npos ||
        n.find('\0') != std::string::npos)
        throw Error(ISCSI_ERR_INVAL, "keep-network: bad interface name \"" + n + "\"");
    const std::string base = root.empty() || root == "/" ? "" : (root.back() == '/' ? root.substr(0, root.size() - 1) : root);
    files::write_atomic(base + "/run/systemd/network", networkd_file_name(n), networkd_text(b), "keep-network");
    files::write_atomic(base + "/run/NetworkManager/conf.d", nm_file_name(n), nm_text(b), "keep-network");
}

} // namespace isr::handover
