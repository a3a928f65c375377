// Who a user is, from a username and password: the active user authenticator plugins in
// orderId order; the first that knows the user decides (a denial is final, never passed on).
// The interactive login uses it; the admin API's credential check exercises it.
#pragma once

#include <string>

#include "oauth/client_authentication.h"

namespace idgate {

struct UserAuthResult {
  enum class Kind { kAuthenticated, kDenied, kUnknown, kError };
  Kind kind = Kind::kError;
  std::string subject;
  std::string claims_json = "{}";
  std::string authenticator;  ///< the plugin that decided
  std::string reason;
};

class UserAuthentication {
 public:
  explicit UserAuthentication(PluginSetSource plugins) : plugins_(std::move(plugins)) {}
  UserAuthResult authenticate(const std::string& username, const std::string& password) const;

 private:
  PluginSetSource plugins_;
};

}  // namespace idgate
