// One active user authenticator: checks a user's credentials (username and password) and says
// who the user is. The interactive login asks them in orderId order; the first that knows the
// user decides.
#pragma once

#include <idgate/plugin_abi.h>

#include <string>

#include "plugins/plugin_instance.h"

namespace idgate {

struct UserAnswer {
  idgate_user_code code = IDGATE_USER_ERROR;
  std::string subject;
  std::string claims_json;  ///< a JSON object ("{}" when the plugin set none)
  std::string reason;
  std::string acr;                     ///< empty: none stated
  std::string amr_json = "[\"pwd\"]";  ///< a JSON array of strings
};

/// The interactive login's request, passed to the plugin (ABI 2.1); empty elsewhere.
struct UserSignInContext {
  std::string client_id;
  std::string acr_values;
  std::string login_hint;
};

class UserAuthenticatorPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  /// AUTHENTICATED without a subject, claims that are not a JSON object, and unknown codes
  /// become ERROR (never a pass).
  UserAnswer authenticate(const std::string& username, const std::string& password,
                          const UserSignInContext& context = {}) const;
};

}  // namespace idgate
