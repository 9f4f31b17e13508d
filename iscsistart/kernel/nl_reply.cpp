#include "nl_reply.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <linux/netlink.h>

namespace isr::kernel {

using namespace isr::kabi;

int positive_errno(int32_t v)
{
    if (v < 0 && v != INT_MIN)
        return -v;
    return v > 0 ? v : EIO;
}

ReplyClass classify_record(const uint8_t *rec, std::size_t len, const ReplyWanted &want, int &err)
{
    if (len < NLMSG_HDRLEN)
        return ReplyClass::IGNORE;
    nlmsghdr h;
    memcpy(&h, rec, sizeof h);
    const uint8_t *payload = rec + NLMSG_HDRLEN;
    const std::size_t payload_len = len - NLMSG_HDRLEN;

    if (h.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr e;
        if (payload_len < sizeof e)
            return ReplyClass::IGNORE;
        memcpy(&e, payload, sizeof e);
        if (e.error == 0)
            return ReplyClass::IGNORE; // an acknowledgement
        err = positive_errno(e.error);
        return ReplyClass::ERROR;
    }
    if (payload_len < sizeof(iscsi_uevent))
        return ReplyClass::IGNORE;
    iscsi_uevent ev;
    memcpy(&ev, payload, sizeof ev);

    if (ev.type == ISCSI_KEVENT_IF_ERROR) {
        // Only ever unicast to the process whose request failed.
        err = positive_errno((int32_t)ev.iferror);
        return ReplyClass::ERROR;
    }
    if (ev.type > KEVENT_BASE)
        return ReplyClass::EVENT;
    if (ev.type != want.type)
        return ReplyClass::FOREIGN; // e.g. someone's GET_STATS while we wait for STOP_CONN
    if (want.match_ids && (ev.u.get_stats.sid != want.sid || ev.u.get_stats.cid != want.cid))
        return ReplyClass::FOREIGN; // a GET_STATS reply for another connection
    return ReplyClass::OURS;
}

ReplyScan scan_reply(const uint8_t *buf, std::size_t len, const ReplyWanted &want)
{
    ReplyScan out;
    std::size_t off = 0;
    while (len - off >= NLMSG_HDRLEN) {
        nlmsghdr h;
        memcpy(&h, buf + off, sizeof h);
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
            break;
        const uint8_t *rec = buf + off;
        int err = 0;
        switch (classify_record(rec, h.nlmsg_len, want, err)) {
        case ReplyClass::OURS:
            if (!out.done) {
                out.done = true;
                memcpy(&out.reply, rec + NLMSG_HDRLEN, sizeof out.reply);
                const uint8_t *t = rec + NLMSG_HDRLEN + sizeof out.reply;
                out.tail.assign(t, rec + h.nlmsg_len);
            }
            break;
        case ReplyClass::ERROR:
            if (!out.done) {
                out.done = true;
                out.err = err;
                if (h.nlmsg_type != NLMSG_ERROR)
                    memcpy(&out.reply, rec + NLMSG_HDRLEN, sizeof out.reply);
            }
            break;
        case ReplyClass::EVENT:
            for (const auto &e : parse_kevents(rec, h.nlmsg_len))
                out.events.push_back(e);
            break;
        case ReplyClass::FOREIGN:
            ++out.foreign;
            break;
        case ReplyClass::IGNORE:
            break;
        }
        std::size_t step = NLMSG_ALIGN(h.nlmsg_len);
        if (step > len - off)
            break;
        off += step;
    }
    return out;
}

} // namespace isr::kernel
