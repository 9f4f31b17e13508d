// A CHAP secret held in memory: wiped (crypto::wipe) when replaced or
// destroyed, and with no way to format it for output. Also the helpers for
// plain text that may hold a secret on its way in (a config file, -P
// values, a --cmdline string). docs/security.md lists every copy.
#pragma once

#include <string>
#include <string_view>

namespace isr {

/// Overwrite the whole buffer of `s` (its capacity, not only its size:
/// the bytes past the end may hold an older, longer value) with zeros
/// through crypto::wipe, then leave `s` empty. Never throws.
void wipe(std::string &s) noexcept;

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string_view s) : v_(s) {}
    Secret(const Secret &o) : v_(o.v_) {}
    Secret &operator=(const Secret &o);
    ~Secret();

    bool empty() const { return v_.empty(); }
    std::size_t size() const { return v_.size(); }
    /// The raw bytes, for hashing only. Never log them.
    std::string_view reveal() const { return v_; }
    bool operator==(const Secret &o) const { return v_ == o.v_; }

private:
    std::string v_;
};

/// Text that may contain a secret but is needed as text (a -P NAME=VALUE
/// value, a whole --cmdline string, -f output with --show-secrets): a
/// string whose buffer is wiped (see wipe()) when it is destroyed or
/// assigned over, and when it is moved from. Reads as a const std::string;
/// never log it.
class SensitiveString {
public:
    SensitiveString() = default;
    explicit SensitiveString(std::string_view s) : v_(s) {}
    explicit SensitiveString(const char *s) : v_(s) {}
    /// Take over the buffer of a plain string, wiping what stays behind in
    /// it (a short string's bytes are copied, not moved).
    explicit SensitiveString(std::string &&s) noexcept : v_(std::move(s)) { wipe(s); }
    SensitiveString(const SensitiveString &o) : v_(o.v_) {}
    SensitiveString(SensitiveString &&o) noexcept : v_(std::move(o.v_)) { wipe(o.v_); }
    SensitiveString &operator=(const SensitiveString &o);
    SensitiveString &operator=(SensitiveString &&o) noexcept;
    ~SensitiveString() { wipe(v_); }

    const std::string &str() const { return v_; }
    const char *c_str() const { return v_.c_str(); }
    bool empty() const { return v_.empty(); }
    std::size_t size() const { return v_.size(); }
    operator const std::string &() const { return v_; }
    operator std::string_view() const { return v_; }

private:
    std::string v_;
};

/// `uri` for logs and files: the credentials of "scheme:user:pass@rest"
/// (dracut's iscsi:user:password[:in_user:in_password]@...) replaced by
/// "********", so "iscsi:u:p@10.0.0.1::::iqn.x" gives
/// "iscsi:********@10.0.0.1::::iqn.x". Text without '@' is returned as is.
std::string mask_uri_credentials(std::string_view uri);

} // namespace isr
