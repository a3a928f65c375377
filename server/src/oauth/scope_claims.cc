#include "oauth/scope_claims.h"

#include <idgate/jose/json.h>

#include <algorithm>
#include <map>

namespace idgate {
namespace {

const std::map<std::string, std::vector<std::string>>& scopeClaims() {
  static const std::map<std::string, std::vector<std::string>> kClaims = {
      {"profile",
       {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
        "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
        "updated_at"}},
      {"email", {"email", "email_verified"}},
      {"address", {"address"}},
      {"phone", {"phone_number", "phone_number_verified"}},
  };
  return kClaims;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> claimsForScopes(
    const std::string& claims_json, const std::vector<std::string>& scopes) {
  std::vector<std::pair<std::string, std::string>> out;
  auto claims = jose::parseJson(claims_json);
  if (!claims || !claims->isObject()) return out;
  std::vector<std::string> released;
  for (const auto& s : scopes) {
    auto it = scopeClaims().find(s);
    if (it != scopeClaims().end())
      released.insert(released.end(), it->second.begin(), it->second.end());
  }
  for (const auto& [name, value] : claims->members()) {
    if (std::find(released.begin(), released.end(), name) != released.end()) {
      out.emplace_back(name, jose::toJsonText(value));
    }
  }
  return out;
}

std::vector<std::string> standardClaimNames() {
  std::vector<std::string> out = {"sub",   "iss", "aud", "exp", "iat",    "auth_time",
                                  "nonce", "acr", "amr", "sid", "at_hash"};
  for (const auto& [scope, names] : scopeClaims())
    out.insert(out.end(), names.begin(), names.end());
  return out;
}

}  // namespace idgate
