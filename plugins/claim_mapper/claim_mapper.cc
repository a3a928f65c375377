// claim_subject_mapper: the bundled example of a subject mapper (ABI 1.2, Liberty's mapping
// SPI). After the resource server validated a token and built the subject from its claims,
// this plugin can take the principal from another claim, add groups from a claim such as
// "roles" or "scope", and refuse subjects that lack a required claim.
//
// identity.xml:
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="claim_subject_mapper" orderId="10" enable="true">
//     <Property name="PrincipalClaim">email</Property>
//     <Property name="GroupsClaim">roles</Property>
//     <Property name="GroupPrefix">role:</Property>
//     <Property name="RequiredClaim">tenant</Property>
//     <Property name="ApplyTo">orders-api, partner-api</Property>
//   </EventListener>
#include <idgate/jose/json.h>
#include <idgate/sdk.h>

#include "../common/property_values.h"

#include <algorithm>
#include <set>

namespace {

using idgate::sdk::MapOutcome;

class ClaimMapper : public idgate::sdk::SubjectMapper {
 public:
  ClaimMapper(idgate::sdk::Host&, const idgate::sdk::Properties& props) {
    const std::set<std::string> known = {"PrincipalClaim", "GroupsClaim", "GroupPrefix",
                                         "RequiredClaim", "ApplyTo"};
    for (const auto& [name, value] : props.all()) {
      if (!known.count(name)) {
        throw idgate::sdk::ConfigError("unknown property '" + name +
                                       "' (known: PrincipalClaim, GroupsClaim, GroupPrefix, "
                                       "RequiredClaim, ApplyTo)");
      }
    }
    principal_claim_ = props.get("PrincipalClaim").value_or("");
    groups_claim_ = props.get("GroupsClaim").value_or("");
    group_prefix_ = props.get("GroupPrefix").value_or("");
    required_claim_ = props.get("RequiredClaim").value_or("");
    for (const auto& id : idgate::plugins::splitAny(props.get("ApplyTo").value_or(""), ", "))
      apply_to_.insert(id);
    if (principal_claim_.empty() && groups_claim_.empty() && required_claim_.empty()) {
      throw idgate::sdk::ConfigError(
          "set at least one of PrincipalClaim, GroupsClaim or RequiredClaim");
    }
  }

  MapOutcome map(idgate::sdk::Subject& subject) override {
    if (!apply_to_.empty() && !apply_to_.count(subject.config_id)) return MapOutcome::unchanged();
    auto claims =
        idgate::jose::parseJson(subject.claims_json, idgate::jose::JsonLimits{32, 1024 * 1024});
    if (!claims) return MapOutcome::error("claims are not readable");
    if (!required_claim_.empty() && claims->get(required_claim_) == nullptr) {
      return MapOutcome::denied("claim '" + required_claim_ + "' is required");
    }
    bool changed = false;
    if (!principal_claim_.empty()) {
      if (auto p = claims->getString(principal_claim_); p && !p->empty()) {
        subject.principal = *p;
        subject.unique_name = *p;
        changed = true;
      }
    }
    if (!groups_claim_.empty()) {
      std::vector<std::string> values;
      if (const auto* v = claims->get(groups_claim_)) {
        if (v->isString()) {
          values = idgate::plugins::splitAny(v->str(), " ");
        } else if (v->isArray()) {
          for (const auto& i : v->items()) {
            if (i.isString()) values.push_back(i.str());
          }
        }
      }
      for (const auto& g : values) {
        std::string group = group_prefix_ + g;
        if (std::find(subject.groups.begin(), subject.groups.end(), group) ==
            subject.groups.end()) {
          subject.groups.push_back(group);
          changed = true;
        }
      }
    }
    return changed ? MapOutcome::mapped() : MapOutcome::unchanged();
  }

 private:
  std::string principal_claim_, groups_claim_, group_prefix_, required_claim_;
  std::set<std::string> apply_to_;
};

}  // namespace

IDGATE_SUBJECT_MAPPER(ClaimMapper, "claim_subject_mapper", IDGATE_NAMES())
