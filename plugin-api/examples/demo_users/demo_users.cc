// Example user authenticator: users listed in identity.xml (Property "Password.<name>"; the
// admin API lists properties named like passwords as "********"),
// for a demo or a test. Production deployments use the bundled local_users (KDF-hashed, managed
// with /api/admin/users) or basic_registry. A name it does not know is passed to the next
// authenticator.
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="demo_users" orderId="90" enable="true">
//     <Property name="Password.demo">a-demo-password</Property>
//   </EventListener>
#include <idgate/sdk.h>

#include <map>
#include <string>

namespace {

using idgate::sdk::UserOutcome;

/// Compares without stopping at the first difference.
bool sameText(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i % (b.empty() ? 1 : b.size())];
  return diff == 0 && !b.empty();
}

class DemoUsers : public idgate::sdk::UserAuthenticator {
 public:
  DemoUsers(idgate::sdk::Host& host, const idgate::sdk::Properties& props) {
    for (const auto& [name, value] : props.all()) {
      if (name.rfind("Password.", 0) != 0 || name.size() == 9 || value.size() < 8)
        throw idgate::sdk::ConfigError("property '" + name +
                                       "': use Password.<name> with 8+ characters");
      users_[name.substr(9)] = value;
    }
    host.warn("demo_users keeps passwords in identity.xml: for demos only");
  }

  UserOutcome authenticate(const std::string& username, const std::string& password) override {
    auto it = users_.find(username);
    if (it == users_.end()) return UserOutcome::notHandled();
    if (!sameText(password, it->second)) return UserOutcome::denied("wrong username or password");
    return UserOutcome::authenticated("demo:" + username,
                                      "{\"name\":" + idgate::sdk::jsonString(username) + "}");
  }

 private:
  std::map<std::string, std::string> users_;
};

}  // namespace

IDGATE_USER_AUTHENTICATOR(DemoUsers, "demo_users", IDGATE_NAMES())
