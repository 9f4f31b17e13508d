#include "pdu_io.hpp"

#include "util/clock.hpp"
#include "util/errors.hpp"

#include <cstring>
#include <string>

namespace isr::pdu {
namespace {

const char *const CONTEXT = "login";

// Read `len` bytes of one PDU by `deadline`; `what`: the part of the PDU,
// for the message when it stops midway.
void recv_part(const net::Socket &s, uint8_t *buf, std::size_t len, long deadline, const char *what)
{
    std::size_t got = net::recv_exact(s, buf, len, deadline, CONTEXT);
    if (got == len)
        return;
    if (got == 0 && strcmp(what, "header") == 0)
        throw Error(ISCSI_ERR_PDU_TIMEOUT, "login: no response from " + s.peer() + " in time", Retry::YES);
    throw Error(ISCSI_ERR_PDU_TIMEOUT,
                "login: " + s.peer() + " stopped sending a PDU's " + what + " (" + std::to_string(got) + " of " +
                    std::to_string(len) + " bytes in time)",
                Retry::YES);
}

} // namespace

void send_pdu(const net::Socket &s, const uint8_t *hdr, std::size_t hdr_len, const std::vector<uint8_t> &data,
              int timeout_ms)
{
    std::vector<uint8_t> buf(hdr, hdr + hdr_len);
    buf.insert(buf.end(), data.begin(), data.end());
    buf.resize(buf.size() + pad_len(data.size()), 0);
    long deadline = monotonic_ms() + timeout_ms;
    if (!net::send_all(s, buf.data(), buf.size(), deadline, CONTEXT))
        throw Error(ISCSI_ERR_PDU_TIMEOUT, "login: sending to " + s.peer() + " timed out", Retry::YES);
}

std::vector<uint8_t> recv_pdu(const net::Socket &s, uint8_t bhs[BHS_LEN], std::size_t max_data, int timeout_ms)
{
    long deadline = monotonic_ms() + timeout_ms;
    recv_part(s, bhs, BHS_LEN, deadline, "header");
    std::size_t ahs = (std::size_t)total_ahs_length(bhs) * 4;
    std::size_t dlen = data_segment_length(bhs);
    if (dlen > max_data)
        throw Error(ISCSI_ERR_LOGIN, "login: response DataSegmentLength " + std::to_string(dlen) + " exceeds the " +
                                         std::to_string(max_data) + " bytes we accept");
    std::vector<uint8_t> skip(ahs);
    if (ahs)
        recv_part(s, skip.data(), ahs, deadline, "AHS");
    std::vector<uint8_t> data(dlen + pad_len(dlen));
    if (!data.empty())
        recv_part(s, data.data(), data.size(), deadline, "data segment");
    data.resize(dlen);
    return data;
}

} // namespace isr::pdu
