#include "dhcp_packet.hpp"

#include "util/bytes.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

#include <cstring>
#include <map>
#include <sys/socket.h>

namespace isr::dhcp {

namespace {

constexpr uint8_t COOKIE[4] = {99, 130, 83, 99};
constexpr std::size_t SNAME_OFFSET = 44, SNAME_LEN = 64;
constexpr std::size_t FILE_OFFSET = 108, FILE_LEN = 128;
constexpr std::size_t OPTIONS_OFFSET = COOKIE_OFFSET + 4;

enum Opt : uint8_t {
    OPT_PAD = 0,
    OPT_SUBNET_MASK = 1,
    OPT_ROUTER = 3,
    OPT_DNS = 6,
    OPT_HOSTNAME = 12,
    OPT_DOMAIN = 15,
    OPT_ROOT_PATH = 17,
    OPT_MTU = 26,
    OPT_BROADCAST = 28,
    OPT_REQUESTED_IP = 50,
    OPT_LEASE_TIME = 51,
    OPT_OVERLOAD = 52,
    OPT_MSG_TYPE = 53,
    OPT_SERVER_ID = 54,
    OPT_PARAM_LIST = 55,
    OPT_MESSAGE = 56,
    OPT_MAX_SIZE = 57,
    OPT_RENEWAL_TIME = 58,
    OPT_REBINDING_TIME = 59,
    OPT_CLIENT_ID = 61,
    OPT_ISCSI_INITIATOR = 203,
    OPT_END = 255,
};

constexpr uint8_t PARAMS[] = {OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS,       OPT_HOSTNAME,       OPT_DOMAIN,
                              OPT_ROOT_PATH,   OPT_MTU,    OPT_BROADCAST, OPT_ISCSI_INITIATOR};

[[noreturn]] void bad(const std::string &msg) { throw Error(ISCSI_ERR_INVAL, "dhcp: " + msg); }

using bytes::get_be16;
using bytes::get_be32;
using bytes::put_be16;
using bytes::put_be32;

net::IpAddress ipv4(const uint8_t *p)
{
    net::IpAddress a;
    a.family = AF_INET;
    memcpy(a.bytes.data(), p, 4);
    return a;
}

Bytes build(MessageType type, const Mac &mac, uint32_t xid, uint16_t secs, const net::IpAddress *requested,
            const net::IpAddress *server_id, const net::IpAddress *ciaddr = nullptr, const Bytes *client_id = nullptr)
{
    Bytes b(OPTIONS_OFFSET, 0);
    b[0] = 1; // BOOTREQUEST
    b[1] = 1; // Ethernet
    b[2] = 6;
    put_be32(&b[4], xid);
    put_be16(&b[8], secs);
    if (ciaddr) // bound: the address is ours, the reply may come unicast (RFC 2131 4.1)
        memcpy(&b[12], ciaddr->bytes.data(), 4);
    else
        put_be16(&b[10], 0x8000); // broadcast: we cannot receive unicast before we have an address
    memcpy(&b[28], mac.data(), 6);
    memcpy(&b[COOKIE_OFFSET], COOKIE, 4);
    auto opt = [&b](uint8_t code, const uint8_t *data, std::size_t n) {
        b.push_back(code);
        b.push_back((uint8_t)n);
        b.insert(b.end(), data, data + n);
    };
    uint8_t t = type;
    opt(OPT_MSG_TYPE, &t, 1);
    const Bytes cid = client_id && !client_id->empty() ? *client_id : client_id_of(mac);
    opt(OPT_CLIENT_ID, cid.data(), cid.size());
    if (requested)
        opt(OPT_REQUESTED_IP, requested->bytes.data(), 4);
    if (server_id)
        opt(OPT_SERVER_ID, server_id->bytes.data(), 4);
    uint8_t max[2];
    put_be16(max, MAX_MESSAGE_SIZE);
    opt(OPT_MAX_SIZE, max, 2);
    opt(OPT_PARAM_LIST, PARAMS, sizeof PARAMS);
    b.push_back(OPT_END);
    if (b.size() < MIN_MESSAGE)
        b.resize(MIN_MESSAGE, 0);
    return b;
}

// Walk one option area [p, p+n) and append each option's data to `opts`
// (RFC 3396: repeated options concatenate). Stops at END; running off the
// end without END is tolerated, a length past the end is not.
void collect(const uint8_t *p, std::size_t n, const char *area, std::map<uint8_t, Bytes> &opts)
{
    std::size_t i = 0;
    while (i < n) {
        uint8_t code = p[i++];
        if (code == OPT_PAD)
            continue;
        if (code == OPT_END)
            return;
        if (i >= n)
            bad("option " + std::to_string(code) + " in " + area + " has no length byte");
        std::size_t l = p[i++];
        if (l > n - i)
            bad("option " + std::to_string(code) + " in " + area + " is truncated (length " + std::to_string(l) +
                ", " + std::to_string(n - i) + " bytes left)");
        Bytes &d = opts[code];
        d.insert(d.end(), p + i, p + i + l);
        i += l;
    }
}

std::string name_of(uint8_t code)
{
    switch (code) {
    case OPT_SUBNET_MASK: return "subnet mask (option 1)";
    case OPT_ROUTER: return "routers (option 3)";
    case OPT_DNS: return "DNS servers (option 6)";
    case OPT_HOSTNAME: return "hostname (option 12)";
    case OPT_DOMAIN: return "domain name (option 15)";
    case OPT_ROOT_PATH: return "root path (option 17)";
    case OPT_MTU: return "interface MTU (option 26)";
    case OPT_BROADCAST: return "broadcast address (option 28)";
    case OPT_LEASE_TIME: return "lease time (option 51)";
    case OPT_OVERLOAD: return "option overload (option 52)";
    case OPT_MSG_TYPE: return "message type (option 53)";
    case OPT_SERVER_ID: return "server identifier (option 54)";
    case OPT_MESSAGE: return "message (option 56)";
    case OPT_RENEWAL_TIME: return "renewal time (option 58)";
    case OPT_REBINDING_TIME: return "rebinding time (option 59)";
    case OPT_ISCSI_INITIATOR: return "iSCSI initiator name (option 203)";
    default: return "option " + std::to_string(code);
    }
}

const Bytes *find(const std::map<uint8_t, Bytes> &opts, uint8_t code)
{
    auto it = opts.find(code);
    return it == opts.end() ? nullptr : &it->second;
}

// Why an option's value cannot be used; thrown by the decoders below and
// turned into a rejection (required()) or a warning (optional()).
struct Malformed {
    std::string why; // "has length 3, want 4"
};

// The option's data when it is exactly `n` bytes long.
const Bytes &fixed(const Bytes &d, std::size_t n)
{
    if (d.size() != n)
        throw Malformed{"has length " + std::to_string(d.size()) + ", want " + std::to_string(n)};
    return d;
}

// A list of IPv4 addresses (options 3, 6: RFC 2132 3.5 and 3.8, minimum
// length 4, a multiple of 4).
std::vector<net::IpAddress> addresses(const Bytes &d)
{
    if (d.empty() || d.size() % 4)
        throw Malformed{"has length " + std::to_string(d.size()) + ", want a multiple of 4"};
    std::vector<net::IpAddress> out;
    for (std::size_t i = 0; i < d.size(); i += 4)
        out.push_back(ipv4(d.data() + i));
    return out;
}

// NVT ASCII text (RFC 2132 2), at least one byte (RFC 2132 3.14, 3.17,
// 3.19, 9.9): trailing NULs dropped (some servers send a C string);
// control characters and embedded NULs are malformed.
std::string text_value(const Bytes &d)
{
    if (d.empty())
        throw Malformed{"is empty"};
    std::size_t n = d.size();
    while (n && d[n - 1] == 0)
        --n;
    std::string s(d.begin(), d.begin() + (std::ptrdiff_t)n);
    for (std::size_t i = 0; i < n; ++i)
        if (d[i] < 0x20 || d[i] == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            throw Malformed{std::string("\"") + text::printable(s) + "\" holds control character 0x" + hex[d[i] >> 4] +
                            hex[d[i] & 15] + " at offset " + std::to_string(i)};
        }
    return s;
}

// The options of one reply and the warnings about the ones dropped.
class Options {
public:
    Options(std::map<uint8_t, Bytes> opts, std::vector<std::string> &warnings)
        : opts_(std::move(opts)), warnings_(warnings)
    {
    }

    const Bytes *get(uint8_t code) const { return find(opts_, code); }

    // An option the message cannot do without when present: decode(data)
    // with a Malformed value rejecting the whole message.
    template <class F> void required(uint8_t code, F decode) const
    {
        if (const Bytes *d = get(code)) {
            try {
                decode(*d);
            } catch (const Malformed &m) {
                bad(name_of(code) + " " + m.why);
            }
        }
    }

    // An optional option: a Malformed value is dropped with a warning, and
    // whatever decode() did not assign stays unset.
    template <class F> void optional(uint8_t code, F decode) const
    {
        if (const Bytes *d = get(code)) {
            try {
                decode(*d);
            } catch (const Malformed &m) {
                warnings_.push_back("dhcp: ignoring " + name_of(code) + ": " + m.why);
            }
        }
    }

private:
    std::map<uint8_t, Bytes> opts_;
    std::vector<std::string> &warnings_;
};

bool usable_unicast(const uint8_t *p)
{
    uint32_t a = get_be32(p);
    return a != 0 && a != 0xffffffff && (a >> 28) != 0xe && (a >> 24) != 127;
}

} // namespace

Bytes build_discover(const Mac &mac, uint32_t xid, uint16_t secs)
{
    return build(DHCPDISCOVER, mac, xid, secs, nullptr, nullptr);
}

Bytes client_id_of(const Mac &mac)
{
    Bytes b{1};
    b.insert(b.end(), mac.begin(), mac.end());
    return b;
}

Bytes build_renew(const Mac &mac, uint32_t xid, uint16_t secs, const net::IpAddress &ciaddr, const Bytes &client_id)
{
    if (ciaddr.family != AF_INET || !ciaddr.set())
        throw Error(ISCSI_ERR_INVAL, "dhcp: a renewing REQUEST needs our IPv4 address (ciaddr)");
    if (client_id.size() > 255)
        throw Error(ISCSI_ERR_INVAL, "dhcp: client identifier of " + std::to_string(client_id.size()) +
                                         " bytes is longer than an option (255)");
    return build(DHCPREQUEST, mac, xid, secs, nullptr, nullptr, &ciaddr, &client_id);
}

Bytes build_request(const Mac &mac, uint32_t xid, uint16_t secs, const net::IpAddress &requested,
                    const net::IpAddress &server_id)
{
    if (requested.family != AF_INET || server_id.family != AF_INET)
        throw Error(ISCSI_ERR_INVAL, "dhcp: REQUEST needs an IPv4 requested address and server identifier");
    return build(DHCPREQUEST, mac, xid, secs, &requested, &server_id);
}

std::optional<uint8_t> mask_prefix(const uint8_t mask[4])
{
    uint32_t m = get_be32(mask);
    uint32_t inv = ~m;
    // contiguous: the complement is 2^k - 1
    if (inv & (inv + 1))
        return std::nullopt;
    uint8_t n = 0;
    while (m & 0x80000000u) {
        ++n;
        m <<= 1;
    }
    return n;
}

net::IpAddress prefix_mask(uint8_t prefix_len)
{
    uint32_t m = prefix_len == 0 ? 0 : prefix_len >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix_len);
    uint8_t b[4];
    put_be32(b, m);
    return ipv4(b);
}

Lease parse_reply(const uint8_t *data, std::size_t len, uint32_t xid, const Mac &mac)
{
    if (!data || len < OPTIONS_OFFSET)
        bad("reply of " + std::to_string(len) + " bytes is shorter than a DHCP header (240)");
    if (data[0] != 2)
        bad("op " + std::to_string(data[0]) + " is not BOOTREPLY");
    if (data[1] != 1 || data[2] != 6)
        bad("hardware type/length " + std::to_string(data[1]) + "/" + std::to_string(data[2]) + " is not Ethernet");
    if (get_be32(data + 4) != xid)
        bad("xid does not match ours");
    if (memcmp(data + 28, mac.data(), 6) != 0)
        bad("chaddr is not our MAC");
    if (memcmp(data + COOKIE_OFFSET, COOKIE, 4) != 0)
        bad("bad magic cookie");

    std::map<uint8_t, Bytes> opts;
    collect(data + OPTIONS_OFFSET, len - OPTIONS_OFFSET, "options", opts);
    // Option 52 counts only from the options field (RFC 2132 9.3); take it
    // out before the other areas add to the map.
    uint8_t overload = 0;
    if (const Bytes *o = find(opts, OPT_OVERLOAD)) {
        if (o->size() != 1)
            bad(name_of(OPT_OVERLOAD) + " has length " + std::to_string(o->size()) + ", want 1");
        overload = (*o)[0];
        if (overload < 1 || overload > 3)
            bad(name_of(OPT_OVERLOAD) + " value " + std::to_string(overload) + " is not 1, 2 or 3");
        opts.erase(OPT_OVERLOAD);
    }
    if (overload & 1)
        collect(data + FILE_OFFSET, FILE_LEN, "file", opts);
    if (overload & 2)
        collect(data + SNAME_OFFSET, SNAME_LEN, "sname", opts);
    opts.erase(OPT_OVERLOAD);

    // What rejects the message and what only drops an option (RFC 2131
    // 4.3.1 table 3 says what a server MUST send):
    // - 53 message type: without it this is BOOTP, not DHCP (RFC 2131 3).
    // - 54 server identifier: MUST in OFFER, ACK and NAK; our REQUEST must
    //   name it (4.3.2) and an ACK or NAK is matched against it. A NAK
    //   without one is still read (it only makes us start over); a
    //   malformed one rejects any message, since it cannot be compared.
    // - 51 lease time: MUST in OFFER and ACK to a REQUEST. When present it
    //   must be 4 bytes: an unreadable lease time means we do not know how
    //   long the address is ours, which is no lease. An absent one is
    //   tolerated (lease_time 0) as before: a boot client does not renew,
    //   the OS's DHCP client takes over after switch_root.
    // - yiaddr: the address being leased.
    // - 1 subnet mask: not required by RFC 2131 (a MAY option, and the
    //   caller has a default for an absent one), so it is optional like 3,
    //   6, 12, 15, 17, 26, 28, 56 and 203: a malformed one is dropped.
    Lease l;
    const Options o(std::move(opts), l.warnings);
    const Bytes *t = o.get(OPT_MSG_TYPE);
    if (!t)
        bad("no message type (option 53)");
    o.required(OPT_MSG_TYPE, [](const Bytes &d) { fixed(d, 1); });
    if ((*t)[0] != DHCPOFFER && (*t)[0] != DHCPACK && (*t)[0] != DHCPNAK)
        bad(name_of(OPT_MSG_TYPE) + " " + std::to_string((*t)[0]) + " is not OFFER, ACK or NAK");
    l.type = (MessageType)(*t)[0];
    o.required(OPT_SERVER_ID, [&l](const Bytes &d) { l.server_id = ipv4(fixed(d, 4).data()); });
    o.optional(OPT_MESSAGE, [&l](const Bytes &d) { l.message = text_value(d); });
    if (l.type == DHCPNAK)
        return l; // a NAK carries no configuration (RFC 2131 table 3)

    if (!usable_unicast(data + 16))
        bad("yiaddr " + std::to_string(data[16]) + "." + std::to_string(data[17]) + "." + std::to_string(data[18]) +
            "." + std::to_string(data[19]) + " is not a usable address");
    l.your_ip = ipv4(data + 16);
    if (!l.server_id.set())
        bad("no " + name_of(OPT_SERVER_ID));
    o.required(OPT_LEASE_TIME, [&l](const Bytes &d) { l.lease_time = get_be32(fixed(d, 4).data()); });

    o.optional(OPT_SUBNET_MASK, [&l](const Bytes &d) {
        auto p = mask_prefix(fixed(d, 4).data());
        if (!p)
            throw Malformed{ipv4(d.data()).text() + " is not contiguous"};
        l.prefix_len = *p;
    });
    o.optional(OPT_ROUTER, [&l](const Bytes &d) { l.routers = addresses(d); });
    o.optional(OPT_DNS, [&l](const Bytes &d) { l.dns = addresses(d); });
    o.optional(OPT_HOSTNAME, [&l](const Bytes &d) { l.hostname = text_value(d); });
    o.optional(OPT_DOMAIN, [&l](const Bytes &d) { l.domain = text_value(d); });
    o.optional(OPT_ROOT_PATH, [&l](const Bytes &d) { l.root_path = text_value(d); });
    o.optional(OPT_ISCSI_INITIATOR, [&l](const Bytes &d) { l.initiator_name = text_value(d); });
    o.optional(OPT_MTU, [&l](const Bytes &d) {
        uint16_t mtu = get_be16(fixed(d, 2).data());
        if (mtu < 68) // RFC 2132 5.1: the minimum legal value
            throw Malformed{std::to_string(mtu) + " is below 68"};
        l.mtu = mtu;
    });
    o.optional(OPT_BROADCAST, [&l](const Bytes &d) { l.broadcast = ipv4(fixed(d, 4).data()); });
    // T1 and T2 (RFC 2132 9.11, 9.12): a wrong length drops them, and the
    // renewal uses RFC 2131 4.4.5's defaults (dhcp::lease_timers()).
    o.optional(OPT_RENEWAL_TIME, [&l](const Bytes &d) { l.renew_time = get_be32(fixed(d, 4).data()); });
    o.optional(OPT_REBINDING_TIME, [&l](const Bytes &d) { l.rebind_time = get_be32(fixed(d, 4).data()); });
    return l;
}

uint16_t inet_checksum(const uint8_t *data, std::size_t len, uint32_t sum)
{
    uint64_t s = sum;
    for (std::size_t i = 0; i + 1 < len; i += 2)
        s += get_be16(data + i);
    if (len & 1) // the odd byte is padded with a zero byte (RFC 1071 4.1)
        s += (uint32_t)data[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

Bytes frame_request(const Bytes &payload)
{
    const std::size_t udp_len = 8 + payload.size();
    const std::size_t total = 20 + udp_len;
    if (total > 0xffff)
        throw Error(ISCSI_ERR_INVAL, "dhcp: message too large");
    Bytes f(total, 0);
    uint8_t *ip = f.data();
    ip[0] = 0x45; // IPv4, 5-word header
    put_be16(ip + 2, (uint16_t)total);
    ip[8] = 64;   // TTL
    ip[9] = 17;   // UDP
    put_be32(ip + 12, 0);
    put_be32(ip + 16, 0xffffffffu);
    put_be16(ip + 10, inet_checksum(ip, 20));
    uint8_t *udp = ip + 20;
    put_be16(udp, CLIENT_PORT);
    put_be16(udp + 2, SERVER_PORT);
    put_be16(udp + 4, (uint16_t)udp_len);
    memcpy(udp + 8, payload.data(), payload.size());
    // pseudo-header: src, dst, zero+proto, UDP length
    uint32_t pseudo = 0xffff + 0xffff + 17 + (uint32_t)udp_len;
    uint16_t c = inet_checksum(udp, udp_len, pseudo);
    put_be16(udp + 6, c == 0 ? 0xffff : c); // 0 means "no checksum" (RFC 768)
    return f;
}

std::optional<std::pair<std::size_t, std::size_t>> udp_payload(const uint8_t *pkt, std::size_t len)
{
    if (!pkt || len < 28 || pkt[0] >> 4 != 4)
        return std::nullopt;
    std::size_t ihl = (std::size_t)(pkt[0] & 15) * 4;
    std::size_t total = get_be16(pkt + 2);
    if (ihl < 20 || total < ihl + 8 || total > len)
        return std::nullopt;
    if (pkt[9] != 17)
        return std::nullopt;
    if (((pkt[6] & 0x3f) | pkt[7]) != 0) // MF set or a fragment offset
        return std::nullopt;
    if (inet_checksum(pkt, ihl) != 0)
        return std::nullopt;
    const uint8_t *udp = pkt + ihl;
    if (get_be16(udp + 2) != CLIENT_PORT)
        return std::nullopt;
    std::size_t ulen = get_be16(udp + 4);
    if (ulen < 8 || ulen > total - ihl)
        return std::nullopt;
    return std::make_pair(ihl + 8, ulen - 8);
}

std::optional<uint32_t> message_xid(const uint8_t *data, std::size_t len)
{
    if (!data || len < 8)
        return std::nullopt;
    return get_be32(data + 4);
}

} // namespace isr::dhcp
