// HTTP Basic authentication of the admin user against the salted hash in server.xml.
// A successful check is remembered (as an HMAC under a per-process key) for a few minutes,
// so the deliberately slow hash is not paid on every admin call.
#pragma once

#include <mutex>
#include <string>

#include "common/clock.h"

namespace idgate {

class AdminAuth {
 public:
  AdminAuth(std::string username, std::string password_hash, const Clock& clock);
  /// `authorization` is the raw header value.
  bool check(const std::string& authorization);

 private:
  std::string username_;
  std::string password_hash_;
  const Clock& clock_;
  std::string cache_key_;
  std::mutex mutex_;
  std::string remembered_;  ///< HMAC of the last good credentials
  int64_t remembered_until_ = 0;
};

}  // namespace idgate
