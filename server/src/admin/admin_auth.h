// HTTP Basic authentication of the admin user against the salted hash in server.xml.
// A successful check is remembered (as an HMAC under a per-process key) for a few minutes,
// so the deliberately slow hash is not paid on every admin call. Failed guesses are throttled
// per source address and for the admin user (LoginThrottle) before the hash is computed.
#pragma once

#include <mutex>
#include <string>

#include "admin/login_throttle.h"
#include "common/clock.h"

namespace idgate {

class AdminAuth {
 public:
  AdminAuth(std::string username, std::string password_hash, const Clock& clock);
  struct Result {
    bool ok = false;
    int64_t retry_after_s = 0;  ///< > 0: throttled, not checked (429 with Retry-After)
  };
  /// `authorization` is the raw header value; `remote_address` the peer's address.
  Result check(const std::string& authorization, const std::string& remote_address);
  /// The same for a username and password given otherwise (the console's sign-in form).
  Result checkPassword(const std::string& user, const std::string& password,
                       const std::string& remote_address);

 private:
  std::string username_;
  std::string password_hash_;
  const Clock& clock_;
  std::string cache_key_;
  std::mutex mutex_;
  std::string remembered_;  ///< HMAC of the last good credentials
  int64_t remembered_until_ = 0;
  LoginThrottle by_address_;  ///< 5 free failures, then 1 s doubling up to 60 s
  LoginThrottle for_user_;    ///< the admin user from any address: at most 1 s between hashes
};

}  // namespace idgate
