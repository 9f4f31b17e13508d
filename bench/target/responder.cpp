#include "responder.hpp"

#include "iscsistart/login/text_keys.hpp"
#include "util/errors.hpp"

#include <algorithm>

namespace isr::bench {
namespace {

// What the target declares of itself (RFC 7143 13.12) and its portal
// group (13.9).
constexpr const char *OUR_MAX_RECV = "262144";
constexpr const char *OUR_TPGT = "1";

bool has_item(const std::string &list, std::string_view item)
{
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t c = list.find(',', pos);
        if (c == std::string::npos)
            c = list.size();
        if (std::string_view(list).substr(pos, c - pos) == item)
            return true;
        pos = c + 1;
    }
    return false;
}

bool obsolete(const std::string &k) { return k == "IFMarker" || k == "OFMarker" || k == "IFMarkInt" || k == "OFMarkInt"; }

// The negotiable operational keys (RFC 7143 13) whose answer may be the
// initiator's own value.
bool negotiable(const std::string &k)
{
    static const char *const keys[] = {"MaxConnections",    "InitialR2T",         "ImmediateData",
                                       "MaxBurstLength",    "FirstBurstLength",   "DefaultTime2Wait",
                                       "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder",
                                       "DataSequenceInOrder", "ErrorRecoveryLevel"};
    return std::any_of(std::begin(keys), std::end(keys), [&](const char *x) { return k == x; });
}

} // namespace

Reply Responder::respond(const pdu::LoginRequest &rq, bool transit, uint8_t nsg, const std::vector<uint8_t> &data)
{
    pdu::LoginResponse r;
    r.transit = transit;
    r.csg = rq.csg;
    r.nsg = nsg;
    r.data_len = (uint32_t)data.size();
    r.isid = rq.isid;
    r.itt = rq.itt;
    r.tsih = transit && nsg == pdu::FULL_FEATURE ? tsih_ : 0;
    r.statsn = statsn_++;
    r.exp_cmdsn = rq.cmdsn;
    r.max_cmdsn = rq.cmdsn + 31;
    auto bhs = pdu::encode_login_response(r);
    Reply out;
    out.bytes.assign(bhs.begin(), bhs.end());
    out.bytes.insert(out.bytes.end(), data.begin(), data.end());
    out.bytes.resize(out.bytes.size() + pdu::pad_len(data.size()), 0);
    return out;
}

Reply Responder::status(const pdu::LoginRequest &rq, uint8_t cls, uint8_t det)
{
    Reply out = respond(rq, false, 0, {});
    out.bytes[36] = cls; // LoginResponseBhs::status_class
    out.bytes[37] = det;
    out.close = true;
    return out;
}

Reply Responder::refusal(const uint8_t *bhs, uint8_t detail)
{
    pdu::LoginRequest rq;
    try {
        rq = pdu::decode_login_request(bhs);
    } catch (const Error &) {
        // not a login request: refuse it all the same
    }
    Responder r("", 0);
    return r.status(rq, 3, detail);
}

Reply Responder::on_request(const uint8_t *bhs, const uint8_t *data, std::size_t len)
{
    pdu::LoginRequest rq;
    text::KeyList keys;
    try {
        rq = pdu::decode_login_request(bhs);
        keys = text::parse(data, len);
    } catch (const Error &) {
        return status(rq, 2, 0); // initiator error
    }
    if (rq.cont)
        return status(rq, 2, 0); // continued requests: not supported here
    std::vector<uint8_t> out;

    if (rq.csg == pdu::SECURITY) {
        if (first_) {
            const std::string *name = text::find(keys, "InitiatorName");
            const std::string *type = text::find(keys, "SessionType");
            const std::string *target = text::find(keys, "TargetName");
            if (!name || name->empty())
                return status(rq, 2, 7); // missing parameter
            if (type && *type != "Normal")
                return status(rq, 2, 9); // session type not supported
            if (!target || *target != target_)
                return status(rq, 2, 3); // target not found
            text::append(out, "TargetPortalGroupTag", OUR_TPGT);
        }
        if (const std::string *auth = text::find(keys, "AuthMethod")) {
            if (!has_item(*auth, "None"))
                return status(rq, 2, 1); // authentication failure: we do no CHAP
            text::append(out, "AuthMethod", "None");
        }
        first_ = false;
        if (rq.transit && rq.nsg == pdu::OPERATIONAL)
            return respond(rq, true, pdu::OPERATIONAL, out);
        if (rq.transit)
            return status(rq, 2, 0); // straight to full feature: not from here
        return respond(rq, false, 0, out);
    }
    if (rq.csg != pdu::OPERATIONAL || first_)
        return status(rq, 2, 0); // the security stage comes first here

    for (const auto &[k, v] : keys) {
        if (k == "HeaderDigest" || k == "DataDigest")
            text::append(out, k, has_item(v, "None") ? "None" : "Reject");
        else if (k == "MaxRecvDataSegmentLength") {
            text::append(out, k, OUR_MAX_RECV);
            declared_ = true;
        } else if (negotiable(k))
            text::append(out, k, v);
        else if (obsolete(k))
            text::append(out, k, "Reject");
        else
            text::append(out, k, "NotUnderstood");
    }
    if (!declared_) {
        text::append(out, "MaxRecvDataSegmentLength", OUR_MAX_RECV);
        declared_ = true;
    }
    if (rq.transit && rq.nsg == pdu::FULL_FEATURE) {
        Reply r = respond(rq, true, pdu::FULL_FEATURE, out);
        r.done = true;
        return r;
    }
    return respond(rq, false, 0, out);
}

} // namespace isr::bench
