// Example subject mapper: puts the token's "tenant" claim into the subject's realm, so the
// resource server's identity headers and /api/me say which tenant a caller belongs to; a token
// without a tenant is refused (403) when RequireTenant is true.
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="tenant_realm" orderId="10" enable="true">
//     <Property name="RequireTenant">true</Property>
//   </EventListener>
#include <idgate/sdk.h>

#include <string>

namespace {

using idgate::sdk::MapOutcome;

/// The string value of a top-level member, for the flat claims this example reads. A real
/// mapper would use a JSON library; the SDK leaves that choice to the plugin.
std::string stringClaim(const std::string& json, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  size_t at = json.find(key);
  if (at == std::string::npos) return {};
  size_t start = at + key.size();
  size_t end = json.find('"', start);
  return end == std::string::npos ? std::string() : json.substr(start, end - start);
}

class TenantRealm : public idgate::sdk::SubjectMapper {
 public:
  static constexpr const char* kVersion = "1.0.0";
  TenantRealm(idgate::sdk::Host&, const idgate::sdk::Properties& props)
      : require_(props.getBool("RequireTenant", false)) {}

  MapOutcome map(idgate::sdk::Subject& subject) override {
    std::string tenant = stringClaim(subject.claims_json, "tenant");
    if (tenant.empty()) return require_ ? MapOutcome::denied("no tenant claim") : MapOutcome::unchanged();
    subject.realm = tenant;
    return MapOutcome::mapped();
  }

 private:
  bool require_;
};

}  // namespace

IDGATE_SUBJECT_MAPPER(TenantRealm, "tenant_realm", IDGATE_NAMES("com.example.idgate.TenantRealm"))
