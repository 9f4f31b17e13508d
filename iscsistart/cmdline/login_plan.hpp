// From a parsed kernel command line to the login settings of each
// target: which initiator name, which CHAP credentials, which node.*
// parameters. Pure: the precedence rules live here so they can be tested.
#pragma once

#include "../cli/options.hpp"
#include "cmdline.hpp"

#include <string>

namespace isr::cmdline {

/// Where the initiator name came from, for the log.
struct InitiatorChoice {
    std::string name;
    const char *source = "";
};

/// The initiator name, first that is set of: iscsistart's -i `flag`; the
/// kernel command line (rd.iscsi.initiator=, iscsi_initiator=); DHCP
/// option 203 `dhcp`; the initiatorname `file_name`; `generated` (made by
/// the caller, e.g. generate_initiator_name()). The chosen name is checked
/// (RFC 7143 4.2.7); throws isr::Error(ISCSI_ERR_INVAL) naming its source
/// when it is malformed.
InitiatorChoice choose_initiator(const std::string &flag, const BootConfig &b, const std::string &dhcp,
                                 const std::string &file_name, const std::string &generated);

/// "iqn.2026-11.org.iscsiroot:" + 12 lower-case hex digits made from
/// `random` (6 bytes from crypto::unique_bytes).
std::string generated_initiator_name(const uint8_t random[6]);

/// The CHAP credentials for target `t`: -u/-w/-U/-W flags > the URI's
/// (or Debian's iscsi_username...) > rd.iscsi.username/password/in.*, each
/// direction as a pair. Throws isr::Error(ISCSI_ERR_INVAL) prefixed with
/// `where` for inconsistent ones (cli::check_auth).
AuthConfig target_auth(const cli::Options &base, const BootConfig &b, const Target &t, const std::string &where);

/// The login settings for target `t` on top of iscsistart's own options
/// `base` (its flags, -c file, defaults). Precedence: -u/-w/-U/-W flags >
/// credentials in the target's URI or Debian's iscsi_username... >
/// rd.iscsi.username/password/in.*; -P flags > rd.iscsi.param= >
/// rd.iscsi.login_retry_max > `base`'s -c file and defaults.
/// Throws isr::Error(ISCSI_ERR_INVAL) naming the target and field for a
/// malformed target name, an unknown rd.iscsi.param name or value, or
/// inconsistent CHAP credentials.
cli::Options target_options(const cli::Options &base, const BootConfig &b, const Target &t,
                            const std::string &initiator);

} // namespace isr::cmdline
