#include "sendtargets.hpp"

#include "../login/login.hpp"
#include "../login/negotiate.hpp"
#include "../login/text_keys.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace isr::discovery {
namespace {

constexpr std::size_t MAX_NAME = 223; // RFC 7143 4.2.7.1

[[noreturn]] void bad(const std::string &why) { throw Error(ISCSI_ERR_LOGIN, "discovery: " + why); }

void check_target_name(std::string_view n)
{
    if (n.empty())
        bad("TargetName: empty");
    if (n.size() > MAX_NAME)
        bad("TargetName: longer than 223 bytes");
    for (char c : n)
        if ((unsigned char)c <= ' ' || (unsigned char)c >= 0x7f)
            bad("TargetName: '" + text::printable(n, 64) + "' has a space, control or non-ASCII byte");
}

// TargetAddress=host[:port][,tpgt] of target `name`.
Record address_record(const std::string &name, std::string_view v)
{
    Record r;
    r.target_name = name;
    std::string_view hostport = v;
    const auto comma = v.rfind(',');
    if (comma != std::string_view::npos) {
        hostport = v.substr(0, comma);
        auto tag = negotiate::parse_number(v.substr(comma + 1));
        if (!tag || *tag > 65535)
            bad("TargetAddress of " + text::printable(name, 64) + ": bad portal group tag '" +
                text::printable(v.substr(comma + 1), 16) + "'");
        r.tpgt = (int)*tag;
    }
    try {
        Portal p = parse_target_address(hostport);
        r.host = std::move(p.host);
        r.port = p.port;
    } catch (const Error &e) {
        // "login: TargetAddress: why" as "discovery: TargetAddress of NAME: why"
        std::string why = e.what();
        const std::string prefix = "login: TargetAddress: ";
        if (why.rfind(prefix, 0) == 0)
            why.erase(0, prefix.size());
        bad("TargetAddress of " + text::printable(name, 64) + ": " + why);
    }
    return r;
}

} // namespace

std::vector<Record> parse_send_targets(const uint8_t *data, std::size_t len, std::string_view asked_host,
                                       uint16_t asked_port)
{
    std::vector<Record> out;
    std::string name;          // the current target
    bool have_target = false;
    bool have_address = false; // the current target named a portal
    auto end_target = [&] {
        if (have_target && !have_address)
            out.push_back(Record{name, std::string(asked_host), asked_port, -1});
    };
    std::string_view all(reinterpret_cast<const char *>(data), len);
    std::size_t pos = 0;
    while (pos < all.size()) {
        std::size_t nul = all.find('\0', pos);
        if (nul == std::string_view::npos)
            nul = all.size(); // a last pair without its NUL
        std::string_view pair = all.substr(pos, nul - pos);
        pos = nul + 1;
        if (pair.empty())
            continue; // padding, or an empty pair between two NULs
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos)
            bad("pair without '=': '" + text::printable(pair, 64) + "'");
        const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        if (key == "TargetName") {
            end_target();
            check_target_name(value);
            name = std::string(value);
            have_target = true;
            have_address = false;
        } else if (key == "TargetAddress") {
            if (!have_target)
                bad("TargetAddress '" + text::printable(value, 64) + "' before any TargetName");
            out.push_back(address_record(name, value));
            have_address = true;
        } else if (key == "SendTargets") {
            bad("target answered SendTargets=" + text::printable(value, 32) + " instead of a target list");
        }
        // Anything else (a vendor key) is not ours to interpret.
    }
    end_target();
    return out;
}

std::string format_record(const Record &r)
{
    std::string s = r.host.find('.') != std::string::npos ? r.host : "[" + r.host + "]";
    return s + ":" + std::to_string(r.port) + "," + std::to_string(r.tpgt) + " " + r.target_name;
}

SendTargetsExchange::SendTargetsExchange(uint32_t itt, uint32_t cmdsn, uint32_t exp_statsn, uint32_t max_recv_dlength)
    : itt_(itt), cmdsn_(cmdsn), exp_statsn_(exp_statsn), max_recv_dlength_(max_recv_dlength)
{
}

SendTargetsExchange::Request SendTargetsExchange::next_request()
{
    if (done_)
        bad("internal: no Text Request after the last response");
    pdu::TextRequest r;
    r.itt = itt_;
    r.ttt = ttt_;
    r.cmdsn = cmdsn_++;
    r.exp_statsn = exp_statsn_;
    Request out;
    if (first_)
        text::append(out.data, "SendTargets", "All");
    first_ = false;
    waiting_ = true;
    out.bhs = pdu::encode_text_request(r, (uint32_t)out.data.size());
    return out;
}

bool SendTargetsExchange::on_response(const pdu::TextResponse &rsp, const uint8_t *data, std::size_t len)
{
    if (!waiting_)
        bad("Text Response without a request");
    waiting_ = false;
    if (rsp.itt != itt_)
        bad("Text Response carries an unknown Initiator Task Tag");
    if (len > max_recv_dlength_)
        bad("Text Response of " + std::to_string(len) + " bytes, more than our MaxRecvDataSegmentLength " +
            std::to_string(max_recv_dlength_));
    if (rsp.final && rsp.cont)
        bad("Text Response has both the F and C bits set (RFC 7143 11.11.2)");
    if (rsp.final && rsp.ttt != pdu::RESERVED_TAG)
        bad("final Text Response has a Target Transfer Tag other than 0xffffffff (RFC 7143 11.11.4)");
    if (!rsp.final && rsp.ttt == pdu::RESERVED_TAG)
        bad("Text Response continues but its Target Transfer Tag is 0xffffffff (RFC 7143 11.11.4)");
    if (++pdus_ > MAX_TEXT_PDUS)
        bad("SendTargets answer spans more than " + std::to_string(MAX_TEXT_PDUS) + " PDUs");
    if (text_.size() + len > MAX_TEXT)
        bad("SendTargets answer larger than " + std::to_string(MAX_TEXT) + " bytes");
    text_.insert(text_.end(), data, data + len);
    exp_statsn_ = rsp.statsn + 1;
    ttt_ = rsp.ttt;
    done_ = rsp.final;
    return done_;
}

} // namespace isr::discovery
