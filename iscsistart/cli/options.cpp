#include "options.hpp"
#include "values.hpp"

#include "../login/chap.hpp"
#include "../login/negotiate.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

namespace isr::cli {
namespace {

using namespace detail;

constexpr std::size_t MAX_NAME = 223;   // RFC 7143 4.2.7.1

bool yes_no(std::string_view field, std::string_view v)
{
    if (v == "Yes" || v == "yes")
        return true;
    if (v == "No" || v == "no")
        return false;
    inval(std::string(field) + ": expected Yes or No, got '" + std::string(v.substr(0, 40)) + "'");
}

std::string digest_list(std::string_view field, std::string_view v)
{
    // Accept open-iscsi's spellings: None, CRC32C, CRC32C,None, None,CRC32C.
    // An empty item ("", "None,") is an unknown digest.
    std::string out;
    for (std::string item : text::split_list(v)) {
        for (auto &ch : item)
            ch = (char)std::toupper((unsigned char)ch);
        if (item == "NONE")
            item = "None";
        else if (item != "CRC32C")
            inval(std::string(field) + ": unknown digest '" + item + "' (use None, CRC32C or a list)");
        if (!out.empty())
            out += ',';
        out += item;
    }
    return out;
}

// Overwrite an argv string in place (the length stays, so /proc/PID/cmdline
// keeps its shape and shows "xxxx" instead of the value).
void scrub_arg(char *p)
{
    for (; p && *p; ++p)
        *p = 'x';
}

// Scrubs its argv string when it goes out of scope, also when parsing the
// value throws.
struct ScrubOnExit {
    char *p;
    ~ScrubOnExit() { scrub_arg(p); }
};

// "--name=value" as "--name": an unknown option's value may be a secret
// (--passwrd=..., an ambiguous --pass=...).
std::string option_name(const char *arg)
{
    std::string_view a = arg ? arg : "";
    return std::string(a.substr(0, a.find('=')));
}

std::string initiatorname_from(const std::string &path)
{
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line)) {
        auto s = line.find_first_not_of(" \t");
        if (s == std::string::npos || line[s] == '#')
            continue;
        if (line.compare(s, 14, "InitiatorName=") == 0) {
            std::string v = line.substr(s + 14);
            v.erase(v.find_last_not_of(" \t\r") + 1);
            return v;
        }
    }
    return {};
}

constexpr std::size_t MAX_CONFIG = 1 << 20; // bytes of a -c file (iscsid.conf is about 13 KiB)

// The whole of a -c file, allocated once (no reallocation leaves a copy
// behind) and read with read(2) (no stdio buffer keeps one): the file may
// hold CHAP secrets, and the result wipes itself.
SensitiveString read_config_text(const std::string &path)
{
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        inval("config: cannot read '" + path + "'");
    struct stat st {};
    // a pipe (-c <(...)) has no size: then up to 64 KiB
    std::size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 ? (std::size_t)st.st_size + 1 : 65536;
    cap = std::min(cap, MAX_CONFIG + 1);
    std::string buf(cap, '\0');
    std::size_t len = 0;
    int err = 0;
    while (len < cap) {
        const ssize_t n = read(fd, buf.data() + len, cap - len);
        if (n > 0)
            len += (std::size_t)n;
        else if (n == 0)
            break;
        else if (errno != EINTR) {
            err = errno;
            break;
        }
    }
    close(fd);
    buf.resize(len); // shrinks in place
    SensitiveString text(std::move(buf)); // wiped on every way out from here
    if (err)
        inval("config: cannot read '" + path + "': " + strerror(err));
    if (len == cap)
        inval("config: '" + path + "' is larger than " + std::to_string(cap - 1) + " bytes");
    return text;
}

std::string_view trim_blanks(std::string_view v, const char *blanks)
{
    const auto b = v.find_first_not_of(blanks);
    if (b == std::string_view::npos)
        return {};
    return v.substr(b, v.find_last_not_of(blanks) - b + 1);
}

void read_config(Options &o, const std::string &path)
{
    const SensitiveString text = read_config_text(path);
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        const auto s = line.find_first_not_of(" \t");
        if (s == std::string_view::npos || line[s] == '#')
            continue;
        const auto eq = line.find('=', s);
        if (eq == std::string_view::npos)
            continue;
        // Views into `text`: no copy of a secret value is made here.
        const std::string_view name = trim_blanks(line.substr(s, eq - s), " \t");
        const std::string_view value = trim_blanks(line.substr(eq + 1), " \t\r");
        // iscsid.conf holds many daemon settings we have no use for:
        // apply the node.* ones we know and skip the rest.
        try {
            apply_param(o, name, value);
        } catch (const Error &) {
            if (name.rfind("node.", 0) == 0 && !value.empty())
                throw;
        }
    }
}

constexpr int OPT_SHOW_SECRETS = 1000;
constexpr int OPT_IBFT = 1001;
constexpr int OPT_FROM_CMDLINE = 1002;
constexpr int OPT_CMDLINE = 1003;
constexpr int OPT_SUPERVISE = 1004;
constexpr int OPT_DISCOVER = 1005;

const option long_options[] = {
    {"config", required_argument, nullptr, 'c'},     {"initiatorname", required_argument, nullptr, 'i'},
    {"targetname", required_argument, nullptr, 't'}, {"tgpt", required_argument, nullptr, 'g'},
    {"address", required_argument, nullptr, 'a'},    {"port", required_argument, nullptr, 'p'},
    {"username", required_argument, nullptr, 'u'},   {"password", required_argument, nullptr, 'w'},
    {"username_in", required_argument, nullptr, 'U'}, {"password_in", required_argument, nullptr, 'W'},
    {"debug", required_argument, nullptr, 'd'},      {"fwparam_connect", no_argument, nullptr, 'b'},
    {"fwparam_network", no_argument, nullptr, 'N'},  {"fwparam_print", no_argument, nullptr, 'f'},
    {"param", required_argument, nullptr, 'P'},      {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'v'},          {"show-secrets", no_argument, nullptr, OPT_SHOW_SECRETS},
    {"ibft", required_argument, nullptr, OPT_IBFT},
    {"from-cmdline", no_argument, nullptr, OPT_FROM_CMDLINE},
    {"cmdline", required_argument, nullptr, OPT_CMDLINE},
    {"supervise", no_argument, nullptr, OPT_SUPERVISE},
    {"discover", no_argument, nullptr, OPT_DISCOVER},
    {nullptr, 0, nullptr, 0},
};

} // namespace

const char *usage_text()
{
    return "Usage: iscsistart [OPTION]\n"
           "Log into an iSCSI target and hand the session to the kernel (iscsiroot).\n"
           "  -i, --initiatorname=name set InitiatorName to name (default: /etc/iscsi/initiatorname.iscsi)\n"
           "  -t, --targetname=name    set TargetName to name (Required)\n"
           "  -g, --tgpt=N             set target portal group tag to N (checked when given)\n"
           "  -a, --address=A.B.C.D    set the portal address: IPv4, IPv6 or host name (Required);\n"
           "                           given again: more paths to the same target, logged in\n"
           "                           in parallel (a multipath root)\n"
           "  -p, --port=N             set port to N (Default 3260)\n"
           "  -u, --username=N         set username to N (optional)\n"
           "  -w, --password=N         set password to N (optional)\n"
           "  -U, --username_in=N      set incoming username to N (optional)\n"
           "  -W, --password_in=N      set incoming password to N (optional)\n"
           "  -c, --config=[path]      read node.* settings from an iscsid.conf-style file\n"
           "  -d, --debug=debuglevel   print debugging information (CHAP values masked)\n"
           "  -b, --fwparam_connect    create a session to the target using iBFT\n"
           "  -N, --fwparam_network    bring up the network as specified by iBFT\n"
           "  -f, --fwparam_print      print the iBFT info to STDOUT\n"
           "      --show-secrets       with -f, print CHAP secrets instead of ********\n"
           "      --ibft=PATH          with -b/-N/-f, read the iBFT from a raw table file or a\n"
           "                           /sys/firmware/ibft-style directory instead of the firmware\n"
           "  -P, --param=NAME=VALUE   set parameter with the name NAME to VALUE\n"
           "      --from-cmdline       take targets, credentials and network from the kernel\n"
           "                           command line (netroot=, rd.iscsi.*, ip=, iscsi_*); the\n"
           "                           default when no -t/-a/-b/-N/-f is given\n"
           "      --cmdline=STRING     the same, parsing STRING instead of /proc/cmdline\n"
           "      --supervise          after the login, stay in the background (as @iscsistart)\n"
           "                           and log in again whenever the kernel reports the\n"
           "                           connection lost, until iscsid takes the session over\n"
           "      --discover           SendTargets discovery at -a/-p: print each portal of each\n"
           "                           target as iscsiadm -m discovery -t st does\n"
           "                           (ADDRESS:PORT,TPGT TARGETNAME); CHAP with -P\n"
           "                           discovery.sendtargets.auth.{authmethod,username,password,\n"
           "                           username_in,password_in}=VALUE\n"
           "  -h, --help               display this help and exit\n"
           "  -v, --version            display version and exit\n"
           "On success the disk's block device (e.g. /dev/sda) is printed on stdout.\n";
}

void validate_iscsi_name(std::string_view n, const char *field)
{
    std::string f(field);
    if (n.empty())
        inval(f + ": empty iSCSI name");
    if (n.size() > MAX_NAME)
        inval(f + ": iSCSI name longer than 223 bytes");
    for (char c : n)
        if (!(std::isalnum((unsigned char)c) || c == '.' || c == '-' || c == ':'))
            inval(f + ": invalid character '" + std::string(1, std::isprint((unsigned char)c) ? c : '?') +
                  "' in iSCSI name '" + std::string(n.substr(0, 64)) + "'");
    auto hex_tail = [&](std::size_t from, std::initializer_list<std::size_t> lens) {
        std::string_view h = n.substr(from);
        bool len_ok = false;
        for (auto l : lens)
            len_ok |= h.size() == l;
        if (!len_ok)
            return false;
        for (char c : h)
            if (!std::isxdigit((unsigned char)c))
                return false;
        return true;
    };
    std::string lower(n.substr(0, 4));
    for (auto &c : lower)
        c = (char)std::tolower((unsigned char)c);
    if (lower == "iqn.") {
        // iqn.YYYY-MM.reversed.domain[:unique]
        bool ok = n.size() > 12 && std::isdigit((unsigned char)n[4]) && std::isdigit((unsigned char)n[5]) &&
                  std::isdigit((unsigned char)n[6]) && std::isdigit((unsigned char)n[7]) && n[8] == '-' &&
                  std::isdigit((unsigned char)n[9]) && std::isdigit((unsigned char)n[10]) && n[11] == '.';
        int month = ok ? (n[9] - '0') * 10 + (n[10] - '0') : 0;
        if (!ok || month < 1 || month > 12)
            inval(f + ": malformed IQN '" + std::string(n.substr(0, 64)) +
                  "' (expected iqn.YYYY-MM.reversed.domain[:name])");
        return;
    }
    if (lower == "eui.") {
        if (!hex_tail(4, {16}))
            inval(f + ": malformed EUI name (expected eui. and 16 hex digits)");
        return;
    }
    if (lower == "naa.") {
        if (!hex_tail(4, {16, 32}))
            inval(f + ": malformed NAA name (expected naa. and 16 or 32 hex digits)");
        return;
    }
    inval(f + ": '" + std::string(n.substr(0, 64)) + "' is not an iSCSI name (iqn., eui. or naa.)");
}

void apply_param(Options &o, std::string_view name, std::string_view v)
{
    auto &op = o.login.op;
    auto &auth = o.login.auth;
    auto &s = o.session;
    std::string field(name);
    if (v.empty())
        inval("Invalid --param " + field + ". Missing value.");
    if (name.rfind("discovery.sendtargets.", 0) == 0) {
        apply_discovery_param(o, name, v);
        return;
    }

    if (name == "node.name") {
        validate_iscsi_name(v, "node.name");
        o.login.target_name = std::string(v);
    } else if (name == "node.tpgt") {
        o.login.tpgt = (int)number(name, v, 0, 65535);
    } else if (name == "node.conn[0].address") {
        o.portal.host = bounded(name, v, 1024);
    } else if (name == "node.conn[0].port") {
        o.portal.port = (uint16_t)number(name, v, 1, 65535);
    } else if (name == "iface.net_ifacename") {
        if (v.empty() || v.size() >= 16 || v.find('/') != std::string_view::npos)
            throw Error(ISCSI_ERR_INVAL, "iface.net_ifacename: '" + std::string(v.substr(0, 32)) +
                                             "' is not an interface name (1 to 15 bytes, no '/')");
        o.netdev = std::string(v);
    } else if (name == "iface.initiatorname") {
        validate_iscsi_name(v, "iface.initiatorname");
        o.login.initiator_name = std::string(v);
    } else if (name == "node.session.auth.authmethod") {
        if (v == "None") {
            auth.username.clear();
            auth.password = Secret();
            auth.username_in.clear();
            auth.password_in = Secret();
        } else if (v != "CHAP") {
            inval(field + ": expected CHAP or None");
        }
    } else if (name == "node.session.auth.username") {
        auth.username = bounded(name, v, MAX_SECRET);
    } else if (name == "node.session.auth.password") {
        auth.password = secret_value(name, v);
    } else if (name == "node.session.auth.username_in") {
        auth.username_in = bounded(name, v, MAX_SECRET);
    } else if (name == "node.session.auth.password_in") {
        auth.password_in = secret_value(name, v);
    } else if (name == "node.session.auth.chap_algs") {
        auth.chap_algs = chap::parse_algorithm_list(v);
    } else if (name == "node.session.initial_login_retry_max") {
        s.initial_login_retry_max = (int)number(name, v, 0, 1000000);
    } else if (name == "node.conn[0].timeo.login_timeout") {
        s.login_timeout_s = (int)number(name, v, 1, 3600);
    } else if (name == "node.session.timeo.replacement_timeout") {
        s.replacement_timeout_s = (int)number(name, v, 0, 1 << 30);
    } else if (name == "node.conn[0].timeo.noop_out_interval") {
        s.noop_out_interval_s = (int)number(name, v, 0, 3600);
    } else if (name == "node.conn[0].timeo.noop_out_timeout") {
        s.noop_out_timeout_s = (int)number(name, v, 0, 3600);
    } else if (name == "node.session.cmds_max") {
        s.cmds_max = (int)number(name, v, 2, 2048);
    } else if (name == "node.session.queue_depth") {
        s.queue_depth = (int)number(name, v, 1, 1024);
    } else if (name == "node.session.scan") {
        if (v == "auto")
            s.scan = true;
        else if (v == "manual")
            s.scan = false;
        else
            inval(field + ": expected auto or manual");
    } else if (name == "node.session.iscsi.InitialR2T") {
        op.initial_r2t = yes_no(name, v);
    } else if (name == "node.session.iscsi.ImmediateData") {
        op.immediate_data = yes_no(name, v);
    } else if (name == "node.session.iscsi.FirstBurstLength") {
        op.first_burst = (uint32_t)number(name, v, 512, 16777215);
    } else if (name == "node.session.iscsi.MaxBurstLength") {
        op.max_burst = (uint32_t)number(name, v, 512, 16777215);
    } else if (name == "node.session.iscsi.DefaultTime2Wait") {
        op.default_time2wait = (uint32_t)number(name, v, 0, 3600);
    } else if (name == "node.session.iscsi.DefaultTime2Retain") {
        op.default_time2retain = (uint32_t)number(name, v, 0, 3600);
    } else if (name == "node.session.iscsi.MaxOutstandingR2T") {
        op.max_outstanding_r2t = (uint32_t)number(name, v, 1, 65535);
    } else if (name == "node.session.iscsi.ERL") {
        op.error_recovery_level = (uint32_t)number(name, v, 0, 0); // the kernel's iscsi_tcp does ERL 0
    } else if (name == "node.conn[0].iscsi.MaxRecvDataSegmentLength") {
        op.max_recv_dlength = (uint32_t)number(name, v, 512, 16777215);
    } else if (name == "node.conn[0].iscsi.HeaderDigest") {
        op.header_digest = digest_list(name, v);
    } else if (name == "node.conn[0].iscsi.DataDigest") {
        op.data_digest = digest_list(name, v);
    } else {
        inval("--param " + field + ": unknown parameter name");
    }
}

SessionConfig session_config(const Options &o)
{
    SessionConfig c;
    c.login = o.login;
    c.portal = o.portal;
    c.session = o.session;
    c.supervise = o.supervise;
    c.netdev = o.netdev;
    return c;
}

bool is_secret_param(std::string_view name)
{
    return name == "node.session.auth.password" || name == "node.session.auth.password_in" ||
           name == "discovery.sendtargets.auth.password" || name == "discovery.sendtargets.auth.password_in";
}

Options parse(int argc, char **argv, const char *initiatorname_file)
{
    Options o;
    optind = 0; // full re-initialisation (GNU), so parse() can be called again
    opterr = 0;
    int ch, idx = 0;
    bool secret_given = false; // a stray argument may then be part of a secret
    std::vector<std::string> addresses; // every -a, in order
    // every -P takes an argv slot: no reallocation copies a value around
    o.param_flags.reserve((std::size_t)std::max(argc, 0));
    while ((ch = getopt_long(argc, argv, ":c:P:i:t:g:a:p:d:u:w:U:W:bNfvh", long_options, &idx)) >= 0) {
        std::string_view arg = optarg ? optarg : "";
        switch (ch) {
        case 'c': o.config_file = std::string(arg); read_config(o, o.config_file); break;
        case 'i': validate_iscsi_name(arg, "initiatorname"); o.login.initiator_name = std::string(arg); break;
        case 't': validate_iscsi_name(arg, "targetname"); o.login.target_name = std::string(arg); break;
        case 'g': o.login.tpgt = (int)number("tgpt", arg, 0, 65535); break;
        case 'a':
            if (!o.portal.host.empty() && addresses.empty())
                addresses.push_back(o.portal.host); // node.conn[0].address from -c or -P
            o.portal.host = bounded("address", arg, 1024);
            addresses.push_back(o.portal.host);
            break;
        case 'p': o.portal.port = (uint16_t)number("port", arg, 1, 65535); break;
        case 'u': o.login.auth.username = bounded("username", arg, MAX_SECRET); break;
        case 'w': {
            ScrubOnExit scrub{optarg};
            secret_given = true;
            o.login.auth.password = secret_value("password", arg);
            break;
        }
        case 'U': o.login.auth.username_in = bounded("username_in", arg, MAX_SECRET); break;
        case 'W': {
            ScrubOnExit scrub{optarg};
            secret_given = true;
            o.login.auth.password_in = secret_value("password_in", arg);
            break;
        }
        case 'd': o.debug = (int)number("debug", arg, 0, 8); break;
        case 'b': o.action = Action::FW_CONNECT; break;
        case 'N': o.action = Action::FW_NETWORK; break;
        case 'f': o.action = Action::FW_PRINT; break;
        case OPT_SHOW_SECRETS: o.show_secrets = true; break;
        case OPT_IBFT: o.ibft_path = bounded("ibft", arg, 4096); break;
        case OPT_FROM_CMDLINE: o.action = Action::FROM_CMDLINE; break;
        case OPT_SUPERVISE: o.supervise = true; break;
        case OPT_DISCOVER: o.action = Action::DISCOVER; break;
        case OPT_CMDLINE: {
            // the whole string: it may carry credentials (netroot=iscsi:u:p@...)
            ScrubOnExit scrub{optarg};
            secret_given = true;
            if (arg.size() > 65536)
                too_long("cmdline", arg.size(), 65536);
            o.cmdline_text.emplace(arg);
            o.action = Action::FROM_CMDLINE;
            break;
        }
        case 'P': {
            auto eq = arg.find('=');
            if (eq == std::string_view::npos)
                inval("Invalid --param " + std::string(arg) + ". Missing value.");
            const bool secret = is_secret_param(arg.substr(0, eq));
            ScrubOnExit scrub{secret ? optarg + eq + 1 : nullptr};
            secret_given |= secret;
            apply_param(o, arg.substr(0, eq), arg.substr(eq + 1));
            o.param_flags.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
            break;
        }
        case 'v': o.action = Action::VERSION; return o;
        case 'h': o.action = Action::HELP; return o;
        case ':': inval(std::string("option ") + (optopt ? std::string("-") + (char)optopt : option_name(argv[optind - 1])) + ": missing value");
        default:
            inval(std::string("unknown option ") +
                  (optopt ? std::string("-") + (char)optopt : option_name(argv[optind - 1])));
        }
    }
    if (optind < argc) {
        // "-w two words" leaves "words" here: not echoed when a secret was given
        if (secret_given)
            inval("unexpected argument (not shown: it may be part of a secret; quote values with spaces)");
        inval(std::string("unexpected argument '") + argv[optind] + "'");
    }

    o.initiatorname_file = initiatorname_file;
    // -a more than once: one path per address (a multipath root), all on
    // -p's port; the first is the portal, the others more paths
    if (addresses.size() > 1) {
        o.portal.host = addresses.front();
        for (std::size_t i = 1; i < addresses.size(); ++i) {
            if (std::find(addresses.begin(), addresses.begin() + (long)i, addresses[i]) != addresses.begin() + (long)i)
                inval("address: " + addresses[i].substr(0, 64) + " given twice (one session per portal)");
            o.more_portals.push_back(Portal{addresses[i], o.portal.port});
        }
    }
    // No target at all: the kernel command line may name one (main checks).
    if (o.action == Action::LOGIN && o.login.target_name.empty() && o.portal.host.empty()) {
        o.action = Action::FROM_CMDLINE;
        o.cmdline_auto = true;
    }
    if (o.action == Action::FROM_CMDLINE) {
        check_auth(o.login.auth);
        return o;
    }
    if (o.action != Action::LOGIN && o.action != Action::DISCOVER)
        return o;

    if (o.login.initiator_name.empty()) {
        std::string n = read_initiatorname(initiatorname_file);
        if (n.empty())
            inval("initiatorname: not set (use -i or /etc/iscsi/initiatorname.iscsi)");
        validate_iscsi_name(n, "initiatorname");
        o.login.initiator_name = n;
    }
    if (o.action == Action::DISCOVER) {
        if (o.portal.host.empty())
            inval("address: not set (use -a with --discover)");
        check_auth(o.discovery.auth, "discovery.sendtargets.auth.");
        return o;
    }
    if (o.login.target_name.empty())
        inval("targetname: not set (use -t)");
    if (o.portal.host.empty())
        inval("address: not set (use -a)");
    check_auth(o.login.auth);
    return o;
}

void check_auth(const AuthConfig &a, const std::string &where)
{
    if (!a.username.empty() && a.password.empty())
        inval(where + "password: CHAP username given without a password (-w)");
    if (a.username.empty() && !a.password.empty())
        inval(where + "username: CHAP password given without a username (-u)");
    if (!a.username_in.empty() && a.password_in.empty())
        inval(where + "password_in: incoming username given without a password (-W)");
    if (!a.password_in.empty() && !a.chap())
        inval(where + "password_in: mutual CHAP needs one-way credentials too (-u and -w)");
    if (a.mutual() && a.password_in == a.password)
        inval(where + "password_in: must differ from password (RFC 7143 section 12.1.3)");
}

std::string read_initiatorname(const std::string &path)
{
    return initiatorname_from(path);
}

} // namespace isr::cli
