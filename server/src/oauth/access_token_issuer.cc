#include "oauth/access_token_issuer.h"

#include <Poco/Logger.h>

#include "common/json_writer.h"
#include "crypto/random.h"

namespace idgate {

std::variant<std::string, ApiError> JwtAccessTokenIssuer::issue(
    const AccessTokenRequest& request) const {
  JsonWriter claims;
  claims.field("iss", issuer_).field("sub", request.grant.subject);
  if (request.audiences.size() > 1) {
    claims.field("aud", request.audiences);
  } else {
    claims.field("aud", request.audiences.empty() ? issuer_ : request.audiences.front());
  }
  claims.field("client_id", request.client.client.client_id)
      .field("iat", request.issued_at)
      .field("exp", request.expires_at)
      .field("jti", crypto::randomToken(16));
  std::string scope;
  for (const auto& s : request.grant.scopes) scope += (scope.empty() ? "" : " ") + s;
  if (!scope.empty()) claims.field("scope", scope);
  try {
    return keys_.signer().sign("at+jwt", claims.finish());
  } catch (const std::exception& e) {
    Poco::Logger::get("idgate.token").error(std::string("signing failed: ") + e.what());
    return ApiError{ErrorCode::kServerError, "token could not be signed"};
  }
}

}  // namespace idgate
