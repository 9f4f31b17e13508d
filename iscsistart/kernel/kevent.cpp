#include "kevent.hpp"

#include "uevent.hpp"

#include <cstring>
#include <linux/netlink.h>

namespace isr::kernel {

using namespace isr::kabi;

std::vector<KEvent> parse_kevents(const uint8_t *buf, std::size_t len)
{
    std::vector<KEvent> out;
    std::size_t off = 0;
    while (len - off >= sizeof(nlmsghdr)) {
        nlmsghdr h;
        memcpy(&h, buf + off, sizeof h);
        if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - off)
            break;
        std::size_t payload = h.nlmsg_len - NLMSG_HDRLEN;
        if (h.nlmsg_type != NLMSG_ERROR && payload >= sizeof(iscsi_uevent)) {
            iscsi_uevent ev;
            memcpy(&ev, buf + off + NLMSG_HDRLEN, sizeof ev);
            KEvent k;
            k.type = ev.type;
            switch (ev.type) {
            case ISCSI_KEVENT_CONN_ERROR:
                k.kind = KEvent::Kind::CONN_ERROR;
                k.sid = ev.r.connerror.sid;
                k.cid = ev.r.connerror.cid;
                k.value = ev.r.connerror.error;
                break;
            case ISCSI_KEVENT_CONN_LOGIN_STATE:
                k.kind = KEvent::Kind::CONN_LOGIN_STATE;
                k.sid = ev.r.conn_login.sid;
                k.cid = ev.r.conn_login.cid;
                k.value = ev.r.conn_login.state;
                break;
            case ISCSI_KEVENT_DESTROY_SESSION:
                k.kind = KEvent::Kind::DESTROY_SESSION;
                k.sid = ev.r.d_session.sid;
                break;
            case ISCSI_KEVENT_UNBIND_SESSION:
                k.kind = KEvent::Kind::UNBIND_SESSION;
                k.sid = ev.r.unbind_session.sid;
                break;
            default:
                k.kind = KEvent::Kind::OTHER;
                break;
            }
            if (ev.type >= ISCSI_KEVENT_RECV_PDU && ev.type != ISCSI_KEVENT_IF_ERROR)
                out.push_back(k);
        }
        std::size_t step = NLMSG_ALIGN(h.nlmsg_len);
        if (step > len - off)
            break;
        off += step;
    }
    return out;
}

const char *conn_error_name(uint32_t err)
{
    // The kernel's enum iscsi_err, ISCSI_ERR_BASE + n, without the prefix.
    static const char *const names[] = {
        nullptr,          "DATASN",         "DATA_OFFSET",     "MAX_CMDSN",     "EXP_CMDSN",
        "BAD_OPCODE",     "DATALEN",        "AHSLEN",          "PROTO",         "LUN",
        "BAD_ITT",        "CONN_FAILED",    "R2TSN",           "SESSION_FAILED", "HDR_DGST",
        "DATA_DGST",      "PARAM_NOT_FOUND", "NO_SCSI_CMD",    "INVALID_HOST",  "XMIT_FAILED",
        "TCP_CONN_CLOSE", "SCSI_EH_SESSION_RST", "NOP_TIMEDOUT",
    };
    static_assert(sizeof names / sizeof names[0] == ISCSI_ERR_NOP_TIMEDOUT - ISCSI_ERR_BASE + 1);
    if (err > ISCSI_ERR_BASE && err - ISCSI_ERR_BASE < sizeof names / sizeof names[0])
        return names[err - ISCSI_ERR_BASE];
    return "unknown error";
}

} // namespace isr::kernel
