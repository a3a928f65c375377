// Example grant handler: grant_type urn:example:params:oauth:grant-type:service-account lets a
// client (authenticated by the client-authenticator chain, registered for this grant type) get
// a token whose sub is the service account identity.xml assigns to it:
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="service_account_grant" orderId="50" enable="true">
//     <Property name="Account.reporting-svc">svc-reporting@example.com</Property>
//   </EventListener>
#include <idgate/sdk.h>

#include <map>
#include <string>

namespace {

using idgate::sdk::GrantOutcome;

class ServiceAccountGrant : public idgate::sdk::GrantHandler {
 public:
  ServiceAccountGrant(idgate::sdk::Host&, const idgate::sdk::Properties& props) {
    for (const auto& [name, value] : props.all()) {
      if (name.rfind("Account.", 0) != 0 || name.size() == 8 || value.empty())
        throw idgate::sdk::ConfigError("property '" + name + "': use Account.<client_id>");
      accounts_[name.substr(8)] = value;
    }
  }

  GrantOutcome handle(const idgate::sdk::GrantRequest& request) override {
    auto it = accounts_.find(request.client_id);
    if (it == accounts_.end())
      return GrantOutcome::unauthorizedClient("no service account for this client");
    GrantOutcome out = GrantOutcome::granted(it->second);
    out.stringClaim("act_as", it->second);
    return out;
  }

 private:
  std::map<std::string, std::string> accounts_;
};

}  // namespace

IDGATE_GRANT_HANDLER(ServiceAccountGrant, "service_account_grant",
                     "urn:example:params:oauth:grant-type:service-account", IDGATE_NAMES())
