// The caller's identity built from a validated token (Liberty's subject): principal, unique
// security name, realm, groups, and the claims it came from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idgate {

struct Subject {
  std::string config_id;  ///< the <openidConnectClient> that accepted the token
  std::string principal;
  std::string unique_name;  ///< unique security name (before the user:<realm>/ prefix)
  std::string realm;
  std::vector<std::string> groups;  ///< group names (before the group:<realm>/ prefix)
  std::string client_id;            ///< client_id or azp claim, if any
  std::string issuer;
  std::vector<std::string> scopes;
  std::string claims_json;  ///< the validated payload
  int64_t expires_at = 0;
  std::string jti;  ///< "" when the token had none (revocation is looked up by it)
  std::string jkt;  ///< cnf.jkt: the DPoP key the token is bound to (RFC 9449 §6.1), or ""

  std::string uniqueId() const { return "user:" + realm + "/" + unique_name; }
  std::vector<std::string> groupIds() const {
    std::vector<std::string> out;
    for (const auto& g : groups) out.push_back("group:" + realm + "/" + g);
    return out;
  }
};

}  // namespace idgate
