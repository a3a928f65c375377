#include "plugins/token_customizer.h"

#include "plugins/result_sink.h"

namespace idgate {

bool isProtectedClaim(const std::string& name) {
  return name == "iss" || name == "exp" || name == "iat" || name == "jti" || name == "client_id" ||
         name == "cnf";
}

bool isProtectedIdTokenClaim(const std::string& name) {
  return isProtectedClaim(name) || name == "sub" || name == "aud" || name == "azp" ||
         name == "nonce" || name == "auth_time" || name == "sid" || name == "at_hash" ||
         name == "c_hash";
}

CustomizeResult TokenCustomizerPlugin::customize(const TokenCustomizeInput& input,
                                                 ClaimList& claims) const {
  const std::string claims_json = claims.toJson();
  auto is_protected = input.token_type == "id_token" ? isProtectedIdTokenClaim : isProtectedClaim;
  idgate_token_request req{};
  req.struct_size = sizeof(req);
  req.token_type = abi(input.token_type);
  req.grant_type = abi(input.grant_type);
  req.client_id = abi(input.client_id);
  req.client_metadata_json = abi(input.client_metadata_json);
  req.claims_json = abi(claims_json);

  ResultSink sink;
  int32_t code = IDGATE_CUSTOMIZE_ERROR;
  const auto started = std::chrono::steady_clock::now();
  try {
    code = descriptor().tableAs<idgate_token_customizer_table>().customize(instance(), &req,
                                                                           sink.api());
  } catch (...) {
    recordCall(started, true);
    return {CustomizeResult::Kind::kError, "token customizer " + name() + " failed"};
  }
  auto fail = [&](std::string why) {
    recordCall(started, true);
    return CustomizeResult{CustomizeResult::Kind::kError, "token customizer " + name() + " " + why};
  };
  switch (code) {
    case IDGATE_CUSTOMIZE_UNCHANGED:
      recordCall(started, false);
      return {CustomizeResult::Kind::kDone, {}};
    case IDGATE_CUSTOMIZE_DENIED:
      recordCall(started, false);
      return {CustomizeResult::Kind::kDenied,
              sink.reason().empty() ? "token denied by " + name() : sink.reason()};
    case IDGATE_CUSTOMIZE_CHANGED:
      break;
    default:
      return fail(sink.reason().empty() ? "failed" : "failed: " + sink.reason());
  }
  if (sink.get("claims")) {
    // A whole claims object is not how a customizer answers (it sets and removes claims):
    // applying nothing would silently drop what it meant.
    return fail("set \"claims\"; set claim:<name> and remove_claim instead");
  }
  // Every change is checked before any is applied.
  std::vector<std::pair<std::string, std::string>> sets;
  for (const auto& [claim, value] : sink.claimSets()) {
    if (claim.empty()) return fail("set a claim without a name");
    if (is_protected(claim)) return fail("tried to set the protected claim '" + claim + "'");
    auto canonical = canonicalJsonValue(value);
    if (!canonical) return fail("set claim '" + claim + "' to a value that is not one JSON value");
    sets.emplace_back(claim, std::move(*canonical));
  }
  for (const auto& claim : sink.claimRemovals()) {
    if (is_protected(claim)) return fail("tried to remove the protected claim '" + claim + "'");
  }
  for (const auto& [claim, value] : sets) claims.set(claim, value);
  for (const auto& claim : sink.claimRemovals()) claims.remove(claim);
  recordCall(started, false);
  return {CustomizeResult::Kind::kDone, {}};
}

}  // namespace idgate
