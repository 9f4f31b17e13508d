// A CHAP secret held in memory: wiped with OPENSSL_cleanse when replaced or
// destroyed, and with no way to format it for output.
#pragma once

#include <string>
#include <string_view>

namespace isr {

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
    void wipe();
    std::string v_;
};

/// `uri` for logs and files: the credentials of "scheme:user:pass@rest"
/// (dracut's iscsi:user:password[:in_user:in_password]@...) replaced by
/// "********", so "iscsi:u:p@10.0.0.1::::iqn.x" gives
/// "iscsi:********@10.0.0.1::::iqn.x". Text without '@' is returned as is.
std::string mask_uri_credentials(std::string_view uri);

} // namespace isr
