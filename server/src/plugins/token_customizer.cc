#include "plugins/token_customizer.h"

#include <idgate/jose/json.h>

#include "plugins/result_sink.h"

namespace idgate {

bool isProtectedClaim(const std::string& name) {
  return name == "iss" || name == "exp" || name == "iat" || name == "jti" || name == "client_id";
}

CustomizeResult TokenCustomizerPlugin::customize(const TokenCustomizeInput& input,
                                                 ClaimList& claims) const {
  const std::string claims_json = claims.toJson();
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
  // Every change is checked before any is applied.
  for (const auto& [claim, value] : sink.claimSets()) {
    if (claim.empty()) return fail("set a claim without a name");
    if (isProtectedClaim(claim)) return fail("tried to set the protected claim '" + claim + "'");
    if (!jose::parseJson("{\"v\":" + value + "}", jose::JsonLimits{16, 256 * 1024}))
      return fail("set claim '" + claim + "' to a value that is not JSON");
  }
  for (const auto& claim : sink.claimRemovals()) {
    if (isProtectedClaim(claim)) return fail("tried to remove the protected claim '" + claim + "'");
  }
  for (const auto& [claim, value] : sink.claimSets()) claims.set(claim, value);
  for (const auto& claim : sink.claimRemovals()) claims.remove(claim);
  recordCall(started, false);
  return {CustomizeResult::Kind::kDone, {}};
}

}  // namespace idgate
