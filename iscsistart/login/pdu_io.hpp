// iSCSI PDU framing over a net::Socket (RFC 7143 section 11.2): the 48-byte
// BHS, the AHS, the data segment and its padding to 4 bytes, each with a
// deadline. The I/O half of the login; login/pdu is the pure half.
#pragma once

#include "../net/tcp.hpp"
#include "pdu.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace isr::pdu {

/// Send all of `hdr` then `data` plus zero padding to a multiple of 4
/// bytes within `timeout_ms`. Throws isr::Error: ISCSI_ERR_PDU_TIMEOUT (11)
/// when the bytes do not leave in time, ISCSI_ERR_TRANS (4) on failure.
void send_pdu(const net::Socket &s, const uint8_t *hdr, std::size_t hdr_len, const std::vector<uint8_t> &data,
              int timeout_ms);

/// Receive one PDU: 48-byte BHS, AHS (skipped), data segment of at most
/// `max_data` bytes (padding consumed). Returns the data without padding.
/// Throws isr::Error: ISCSI_ERR_PDU_TIMEOUT (11) when nothing complete
/// arrives in `timeout_ms`, ISCSI_ERR_TRANS (4) when the target closes the
/// connection, ISCSI_ERR_LOGIN (5) when the data segment is over `max_data`.
std::vector<uint8_t> recv_pdu(const net::Socket &s, uint8_t bhs[BHS_LEN], std::size_t max_data, int timeout_ms);

} // namespace isr::pdu
