#include "oauth/user_authentication.h"

#include <Poco/Logger.h>

namespace idgate {

UserAuthResult UserAuthentication::authenticate(const std::string& username,
                                                const std::string& password,
                                                const UserSignInContext& context) const {
  const std::shared_ptr<const PluginSet> set = plugins_();
  UserAuthResult out;
  if (set->user_authenticators.empty()) {
    out.kind = UserAuthResult::Kind::kUnknown;
    out.reason =
        "no user authenticator is enabled (enable local_users or basic_registry in "
        "identity.xml)";
    return out;
  }
  for (const auto& a : set->user_authenticators) {
    UserAnswer r = a->authenticate(username, password, context);
    if (r.code == IDGATE_USER_NOT_HANDLED) continue;
    out.authenticator = a->name();
    out.reason = r.reason;
    switch (r.code) {
      case IDGATE_USER_AUTHENTICATED:
        out.kind = UserAuthResult::Kind::kAuthenticated;
        out.subject = r.subject;
        out.claims_json = r.claims_json;
        out.acr = r.acr;
        out.amr_json = r.amr_json;
        return out;
      case IDGATE_USER_DENIED:
        out.kind = UserAuthResult::Kind::kDenied;
        return out;
      default:
        Poco::Logger::get("idgate.auth").error(a->name() + " could not check a user: " + r.reason);
        out.kind = UserAuthResult::Kind::kError;
        return out;
    }
  }
  out.kind = UserAuthResult::Kind::kUnknown;
  out.reason = "no user authenticator knows this user";
  return out;
}

}  // namespace idgate
