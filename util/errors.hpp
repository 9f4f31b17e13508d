// Exit codes and the error type used across iscsistart.
//
// The numbers are open-iscsi's ISCSI_ERR_* table (include/iscsi_err.h), so
// scripts written for open-iscsi's iscsistart read our exit status the same
// way. We return the specific cause, never a blanket 1 where a better code
// exists.
#pragma once

#include <stdexcept>
#include <string>

namespace isr {

enum ExitCode : int {
    ISCSI_SUCCESS = 0,
    ISCSI_ERR = 1,                  // generic failure
    ISCSI_ERR_NOMEM = 3,
    ISCSI_ERR_TRANS = 4,            // connect failed / no route / reset
    ISCSI_ERR_LOGIN = 5,            // login failed (target errors after retries)
    ISCSI_ERR_INVAL = 7,            // bad argument or configuration
    ISCSI_ERR_TRANS_TIMEOUT = 8,    // TCP connect timed out
    ISCSI_ERR_INTERNAL = 9,         // kernel refused a request
    ISCSI_ERR_PDU_TIMEOUT = 11,     // no login response in time
    ISCSI_ERR_TRANS_NOT_FOUND = 12, // iscsi_tcp transport not available
    ISCSI_ERR_ACCESS = 13,          // not permitted (not root)
    ISCSI_ERR_SESS_EXISTS = 15,     // the kernel has a session to this target and portal already
    ISCSI_ERR_FATAL_LOGIN = 19,     // initiator error status from the target
    ISCSI_ERR_OP_NOT_SUPP = 27,     // operation not supported (yet)
    ISCSI_ERR_NO_OBJS_FOUND = 21,   // logged in but no disk appeared
    ISCSI_ERR_SYSFS_LOOKUP = 22,
    ISCSI_ERR_LOGIN_AUTH_FAILED = 24,
};

/// Whether trying the same login again later may succeed.
enum class Retry { NO, YES };

/// An error that ends the run: `code` is the exit status, `what()` a one-line
/// message naming the field or step and the reason. Messages never contain
/// CHAP secrets or responses. `retryable()` marks transient failures
/// (unreachable portal, timeouts, target errors of status class 3).
class Error : public std::runtime_error {
public:
    Error(int code, const std::string &msg, Retry retry = Retry::NO)
        : std::runtime_error(msg), code_(code), retry_(retry == Retry::YES)
    {
    }
    int code() const noexcept { return code_; }
    bool retryable() const noexcept { return retry_; }

private:
    int code_;
    bool retry_;
};

} // namespace isr
