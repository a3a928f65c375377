// Example token customizer: adds fixed claims configured in identity.xml to every access token
// (Property "Claim.<name>" = string value), and removes the scope claim when DropScope is true.
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="static_claims" orderId="20" enable="true">
//     <Property name="Claim.region">eu-west</Property>
//   </EventListener>
#include <idgate/sdk.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using idgate::sdk::CustomizeOutcome;

class StaticClaims : public idgate::sdk::TokenCustomizer {
 public:
  StaticClaims(idgate::sdk::Host& host, const idgate::sdk::Properties& props) {
    for (const auto& [name, value] : props.all()) {
      if (name.rfind("Claim.", 0) == 0 && name.size() > 6) {
        claims_.emplace_back(name.substr(6), value);
      } else if (name != "DropScope") {
        throw idgate::sdk::ConfigError("unknown property '" + name +
                                       "' (known: Claim.<name>, DropScope)");
      }
    }
    drop_scope_ = props.getBool("DropScope", false);
    host.info("static_claims: " + std::to_string(claims_.size()) + " claim(s)");
  }

  CustomizeOutcome customize(const idgate::sdk::TokenContext&,
                             idgate::sdk::ClaimChanges& changes) override {
    for (const auto& [name, value] : claims_) changes.setString(name, value);
    if (drop_scope_) changes.remove("scope");
    return changes.empty() ? CustomizeOutcome::unchanged() : CustomizeOutcome::changed();
  }

 private:
  std::vector<std::pair<std::string, std::string>> claims_;
  bool drop_scope_ = false;
};

}  // namespace

IDGATE_TOKEN_CUSTOMIZER(StaticClaims, "static_claims", IDGATE_NAMES())
