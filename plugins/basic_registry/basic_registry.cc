// basic_registry: the bundled user authenticator over the <basicRegistry> users of server.xml
// (IBM Liberty's basic user registry). Passwords are written there as an idgate hash
// (idgate-server hash-password), Liberty's {xor} encoding, or plain text (a startup warning);
// the host compares them in constant time. The subject is the user name; the user's groups
// become the "groups" claim.
//
// identity.xml (user authenticators run only when enabled there):
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="basic_registry" orderId="20" enable="true"/>
#include <idgate/jose/json.h>
#include <idgate/sdk.h>

namespace {

namespace jose = idgate::jose;
using idgate::sdk::UserOutcome;

class BasicRegistry : public idgate::sdk::UserAuthenticator {
 public:
  static constexpr uint64_t kCapabilities = IDGATE_CAP_REGISTRY_READ;

  BasicRegistry(idgate::sdk::Host& host, const idgate::sdk::Properties& props) : host_(host) {
    for (const auto& [name, value] : props.all())
      throw idgate::sdk::ConfigError("unknown property '" + name + "' (basic_registry takes none)");
  }

  UserOutcome authenticate(const std::string& username, const std::string& password) override {
    if (username.empty() || password.empty())
      return UserOutcome::denied("username and password are required");
    if (!host_.verifyRegistryPassword(username, password)) {
      if (!host_.registryUser(username)) return UserOutcome::notHandled();
      return UserOutcome::denied("wrong username or password");
    }
    auto text = host_.registryUser(username);
    if (!text) return UserOutcome::error("registry user vanished");
    auto user = jose::parseJson(*text, jose::JsonLimits{8, 256 * 1024});
    const jose::Json* groups = user ? user->get("groups") : nullptr;
    if (groups == nullptr) return UserOutcome::error("registry user unreadable");
    return UserOutcome::authenticated(username, "{\"groups\":" + jose::toJsonText(*groups) + "}");
  }

 private:
  idgate::sdk::Host& host_;
};

}  // namespace

IDGATE_USER_AUTHENTICATOR(BasicRegistry, "basic_registry",
                          IDGATE_NAMES("com.ibm.ws.security.registry.basic.BasicRegistry"))
