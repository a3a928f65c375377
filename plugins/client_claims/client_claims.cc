// client_claims: the bundled token customizer. It copies claims an operator registered with
// the client (the token_claims member of its metadata, e.g. {"tenant":"acme","tier":"gold"})
// and optionally the client's name into its access tokens, and can refuse a token to a client
// that lacks a required claim.
//
// identity.xml:
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="client_claims" orderId="10" enable="true">
//     <Property name="AllowedClaims">tenant tier</Property>     <!-- default: all registered -->
//     <Property name="RequiredClaims">tenant</Property>        <!-- else 403 access_denied -->
//     <Property name="ClientNameClaim">client_name</Property>  <!-- claim carrying client_name -->
//     <Property name="GrantTypes">client_credentials</Property> <!-- default: every grant -->
//   </EventListener>
#include <idgate/jose/json.h>
#include <idgate/sdk.h>

#include <algorithm>
#include <set>

namespace {

namespace jose = idgate::jose;
using idgate::sdk::ConfigError;
using idgate::sdk::CustomizeOutcome;

std::set<std::string> words(const std::string& text) {
  std::set<std::string> out;
  std::string cur;
  for (char c : text + " ") {
    if (c == ' ' || c == ',' || c == '\t' || c == '\n') {
      if (!cur.empty()) out.insert(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

class ClientClaims : public idgate::sdk::TokenCustomizer {
 public:
  ClientClaims(idgate::sdk::Host&, const idgate::sdk::Properties& props) {
    const std::set<std::string> known = {"AllowedClaims", "RequiredClaims", "ClientNameClaim",
                                         "GrantTypes"};
    for (const auto& [name, value] : props.all()) {
      if (!known.count(name)) {
        throw ConfigError("unknown property '" + name +
                          "' (known: AllowedClaims, RequiredClaims, ClientNameClaim, GrantTypes)");
      }
    }
    if (auto v = props.get("AllowedClaims")) {
      allowed_ = words(*v);
      restrict_ = true;
    }
    required_ = words(props.get("RequiredClaims").value_or(""));
    client_name_claim_ = props.get("ClientNameClaim").value_or("");
    grant_types_ = words(props.get("GrantTypes").value_or(""));
    for (const auto& r : required_) {
      if (restrict_ && !allowed_.count(r))
        throw ConfigError("RequiredClaims names '" + r + "', which AllowedClaims does not allow");
    }
  }

  CustomizeOutcome customize(const idgate::sdk::TokenContext& token,
                             idgate::sdk::ClaimChanges& changes) override {
    if (!grant_types_.empty() && !grant_types_.count(token.grant_type))
      return CustomizeOutcome::unchanged();
    auto metadata = jose::parseJson(token.client_metadata_json, jose::kClientMetadataLimits);
    if (!metadata) return CustomizeOutcome::error("client metadata unreadable");
    std::set<std::string> present;
    if (const jose::Json* registered = metadata->get("token_claims")) {
      for (const auto& [name, value] : registered->members()) {
        if (restrict_ && !allowed_.count(name)) continue;
        changes.set(name, jose::toJsonText(value));
        present.insert(name);
      }
    }
    for (const auto& r : required_) {
      if (!present.count(r)) {
        return CustomizeOutcome::denied("client " + token.client_id + " has no '" + r +
                                        "' in its registered token_claims");
      }
    }
    if (!client_name_claim_.empty()) {
      if (auto name = metadata->getString("client_name"))
        changes.setString(client_name_claim_, *name);
    }
    return changes.empty() ? CustomizeOutcome::unchanged() : CustomizeOutcome::changed();
  }

 private:
  std::set<std::string> allowed_;
  bool restrict_ = false;
  std::set<std::string> required_;
  std::string client_name_claim_;
  std::set<std::string> grant_types_;
};

}  // namespace

IDGATE_TOKEN_CUSTOMIZER(ClientClaims, "client_claims",
                        IDGATE_NAMES("com.example.idgate.ClientClaimsCustomizer"))
