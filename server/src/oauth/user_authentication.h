// Who a user is, from a username and password: the active user authenticator plugins in
// orderId order; the first that knows the user decides (a denial is final, never passed on).
// The interactive login uses it; the admin API's credential check exercises it.
#pragma once

#include <string>

#include "oauth/client_authentication.h"
#include "plugins/user_authenticator.h"

namespace idgate {

struct UserAuthResult {
  enum class Kind { kAuthenticated, kDenied, kUnknown, kError };
  Kind kind = Kind::kError;
  std::string subject;
  std::string claims_json = "{}";
  std::string authenticator;  ///< the plugin that decided
  std::string reason;
  std::string acr;                     ///< the authentication context class; empty: none stated
  std::string amr_json = "[\"pwd\"]";  ///< RFC 8176 methods, a JSON array
};

class UserAuthentication {
 public:
  explicit UserAuthentication(PluginSetSource plugins) : plugins_(std::move(plugins)) {}
  UserAuthResult authenticate(const std::string& username, const std::string& password,
                              const UserSignInContext& context = {}) const;

 private:
  PluginSetSource plugins_;
};

}  // namespace idgate
