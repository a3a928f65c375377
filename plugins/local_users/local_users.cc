// local_users: the bundled user authenticator over idgate's own user store (the IDGATE_USER
// table in SQLite or PostgreSQL, managed with /api/admin/users). The host verifies the password
// against its PBKDF2-SHA256 hash (600 000 iterations) in constant time; this plugin only asks,
// and answers with the user's subject and registered claims.
//
// identity.xml (user authenticators run only when enabled there):
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="local_users" orderId="10" enable="true"/>
#include <idgate/jose/json.h>
#include <idgate/sdk.h>

namespace {

namespace jose = idgate::jose;
using idgate::sdk::UserOutcome;

class LocalUsers : public idgate::sdk::UserAuthenticator {
 public:
  static constexpr uint64_t kCapabilities = IDGATE_CAP_USER_READ;

  LocalUsers(idgate::sdk::Host& host, const idgate::sdk::Properties& props) : host_(host) {
    for (const auto& [name, value] : props.all())
      throw idgate::sdk::ConfigError("unknown property '" + name + "' (local_users takes none)");
  }

  UserOutcome authenticate(const std::string& username, const std::string& password) override {
    if (username.empty() || password.empty())
      return UserOutcome::denied("username and password are required");
    // The host hashes for an unknown user too, so timing does not tell whether one exists.
    if (!host_.verifyUserPassword(username, password)) {
      if (!host_.user(username)) return UserOutcome::notHandled();
      return UserOutcome::denied("wrong username or password");
    }
    auto text = host_.user(username);
    if (!text) return UserOutcome::error("user vanished while signing in");
    auto user = jose::parseJson(*text, jose::JsonLimits{16, 256 * 1024});
    if (!user) return UserOutcome::error("user record unreadable");
    auto subject = user->getString("subject");
    const jose::Json* claims = user->get("claims");
    if (!subject || claims == nullptr || !claims->isObject())
      return UserOutcome::error("user record incomplete");
    return UserOutcome::authenticated(*subject, jose::toJsonText(*claims));
  }

 private:
  idgate::sdk::Host& host_;
};

}  // namespace

IDGATE_USER_AUTHENTICATOR(LocalUsers, "local_users", IDGATE_NAMES())
