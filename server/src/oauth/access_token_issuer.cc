#include "oauth/access_token_issuer.h"

#include <Poco/Logger.h>

#include "common/json_writer.h"
#include "crypto/random.h"

namespace idgate {
namespace {

/// The claims the token itself sets: a grant's extra claims never replace them.
bool isCoreClaim(const std::string& name) {
  return isProtectedClaim(name) || name == "sub" || name == "aud" || name == "scope";
}

}  // namespace

std::optional<ApiError> runCustomizers(const CustomizerSource& customizers,
                                       const TokenCustomizeInput& input, ClaimList& claims,
                                       const std::string& what) {
  if (!customizers) return std::nullopt;
  for (const auto& c : customizers()) {
    CustomizeResult r = c->customize(input, claims);
    if (r.kind == CustomizeResult::Kind::kDenied)
      return ApiError{ErrorCode::kTokenDenied, r.reason};
    if (r.kind == CustomizeResult::Kind::kError) {
      Poco::Logger::get("idgate.token").error(r.reason);
      return ApiError{ErrorCode::kServerError, "the " + what + " could not be customized"};
    }
  }
  return std::nullopt;
}

std::variant<std::string, ApiError> JwtAccessTokenIssuer::issue(
    const AccessTokenRequest& request) const {
  ClaimList claims;
  claims.set("iss", jsonQuote(issuer_));
  claims.set("sub", jsonQuote(request.grant.subject));
  if (request.audiences.size() > 1) {
    std::vector<std::string> items;
    for (const auto& a : request.audiences) items.push_back(jsonQuote(a));
    claims.set("aud", jsonArray(items));
  } else {
    claims.set("aud", jsonQuote(request.audiences.empty() ? issuer_ : request.audiences.front()));
  }
  claims.set("client_id", jsonQuote(request.client.client.client_id));
  claims.set("iat", std::to_string(request.issued_at));
  claims.set("exp", std::to_string(request.expires_at));
  claims.set("jti", jsonQuote(request.jti.empty() ? crypto::randomToken(16) : request.jti));
  std::string scope;
  for (const auto& s : request.grant.scopes) scope += (scope.empty() ? "" : " ") + s;
  if (!scope.empty()) claims.set("scope", jsonQuote(scope));
  if (!request.jkt.empty()) claims.set("cnf", "{\"jkt\":" + jsonQuote(request.jkt) + "}");

  for (const auto& [name, value] : request.grant.extra_claims) {  // checked to be JSON
    if (isCoreClaim(name)) {
      Poco::Logger::get("idgate.token")
          .warning("grant claim '" + name + "' ignored: the token sets it itself");
      continue;
    }
    claims.set(name, value);
  }

  TokenCustomizeInput input{"access_token", request.grant_type, request.client.client.client_id,
                            request.client.client.metadata_json};
  if (auto refused = runCustomizers(customizers_, input, claims, "token")) return *refused;
  try {
    return keys_.signer()->sign("at+jwt", claims.toJson());
  } catch (const std::exception& e) {
    Poco::Logger::get("idgate.token").error(std::string("signing failed: ") + e.what());
    return ApiError{ErrorCode::kServerError, "token could not be signed"};
  }
}

}  // namespace idgate
