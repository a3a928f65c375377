#include "oauth/own_token_verifier.h"

#include <idgate/jose/jwk.h>
#include <idgate/jose/jws.h>

namespace idgate {

std::optional<jose::Json> OwnTokenVerifier::verify(const std::string& token, const Options& options,
                                                   int64_t now, std::string* why) const {
  jose::CompactJws jws;
  if (jose::parseCompactJws(token, jose::JwsLimits{}, &jws) != jose::Status::kOk) {
    *why = "the token is not a well-formed JWS";
    return std::nullopt;
  }
  if (jws.typ != options.typ) {
    *why = "the token's typ is not " + options.typ;
    return std::nullopt;
  }
  auto jwks = jose::parseJson(keys_.jwksJson(now));
  int skipped = 0;
  std::string error;
  auto keys = jwks ? jose::importJwks(*jwks, &skipped, &error) : std::nullopt;
  bool verified = false;
  if (keys) {
    for (const auto& key : *keys) {
      if (!jws.kid.empty() && key.kid != jws.kid) continue;
      if (!jose::keyFitsAlgorithm(key, jws.alg)) continue;
      if (jose::verifySignature(jws.alg, key, jws.signing_input, jws.signature) ==
          jose::Status::kOk) {
        verified = true;
        break;
      }
    }
  }
  if (!verified) {
    *why = "the token was not signed by this server";
    return std::nullopt;
  }
  if (jws.payload.getString("iss").value_or("") != issuer_) {
    *why = "the token was issued by another issuer";
    return std::nullopt;
  }
  const jose::Json* exp = jws.payload.get("exp");
  if (exp == nullptr || !exp->isNumber()) {
    *why = "the token has no exp";
    return std::nullopt;
  }
  if (!options.allow_expired && static_cast<int64_t>(exp->number()) + options.skew_s <= now) {
    *why = "the token has expired";
    return std::nullopt;
  }
  return jws.payload;
}

}  // namespace idgate
