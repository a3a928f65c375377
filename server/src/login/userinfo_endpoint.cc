#include "login/userinfo_endpoint.h"

#include <Poco/String.h>

#include "common/json_writer.h"
#include "common/split.h"
#include "oauth/scope_claims.h"

namespace idgate {

std::variant<std::string, ApiError> UserinfoEndpoint::handle(const HttpRequestData& req) {
  const std::string& auth = req.authorization;
  const bool dpop = auth.size() > 5 && Poco::icompare(auth.substr(0, 5), "DPoP ") == 0;
  auto challenge = [dpop](ErrorCode code, std::string why) {
    ApiError e{code, std::move(why)};
    e.bearer_realm = "idgate";
    e.dpop_scheme = dpop;
    if (code == ErrorCode::kInsufficientScope) e.bearer_scope = "openid";
    return e;
  };
  if (!dpop && (auth.size() < 7 || Poco::icompare(auth.substr(0, 7), "Bearer ") != 0)) {
    return challenge(ErrorCode::kBearerRequired, "an access token is required");
  }
  std::string token = Poco::trim(auth.substr(dpop ? 5 : 7));
  const int64_t now = ctx_.clock.nowSeconds();
  std::string why;
  auto claims = ctx_.verifier.verify(token, {"at+jwt", false, ctx_.skew_s}, now, &why);
  if (!claims) return challenge(ErrorCode::kInvalidToken, why);
  if (ctx_.revoked.isRevoked(claims->getString("jti").value_or(""))) {
    return challenge(ErrorCode::kInvalidToken, "the token has been revoked");
  }
  // The sender constraint (RFC 9449 §7): a bound token comes as DPoP with a proof of its key.
  const jose::Json* cnf = claims->get("cnf");
  const std::string jkt =
      cnf != nullptr && cnf->isObject() ? cnf->getString("jkt").value_or("") : "";
  if (cnf != nullptr && jkt.empty()) {
    return challenge(ErrorCode::kInvalidToken, "the token's cnf binding cannot be checked");
  }
  if (auto refused = ctx_.dpop.checkSender(jkt, dpop, req, req.method, ctx_.issuer + req.path,
                                           token, now, "idgate")) {
    return *refused;
  }
  std::vector<std::string> scopes = splitAny(claims->getString("scope").value_or(""), " ");
  if (std::find(scopes.begin(), scopes.end(), "openid") == scopes.end()) {
    return challenge(ErrorCode::kInsufficientScope, "the token lacks the openid scope");
  }
  auto sid = claims->getString("sid");
  auto session = sid ? ctx_.sessions.findBySid(*sid, now) : std::nullopt;
  const std::string sub = claims->getString("sub").value_or("");
  if (!session || session->subject != sub) {
    return challenge(ErrorCode::kInvalidToken,
                     "the sign-in session this token was issued in has ended");
  }
  JsonWriter w;
  w.field("sub", sub);
  for (const auto& [name, value] : claimsForScopes(session->claims_json, scopes)) {
    if (name != "sub") w.raw(name, value);
  }
  return w.finish();
}

}  // namespace idgate
