#include "oauth/id_token_issuer.h"

#include <Poco/Logger.h>
#include <idgate/jose/base64url.h>
#include <openssl/evp.h>

#include "common/claim_list.h"
#include "common/json_writer.h"
#include "oauth/scope_claims.h"

namespace idgate {

std::string accessTokenHash(const std::string& alg, const std::string& access_token) {
  const EVP_MD* md = EVP_sha256();
  if (alg.size() >= 3 && alg.compare(alg.size() - 3, 3, "384") == 0) md = EVP_sha384();
  if ((alg.size() >= 3 && alg.compare(alg.size() - 3, 3, "512") == 0) || alg == "EdDSA") {
    md = EVP_sha512();
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(access_token.data(), access_token.size(), digest, &len, md, nullptr);
  return base64UrlEncode(std::string(reinterpret_cast<const char*>(digest), len / 2));
}

std::variant<std::string, ApiError> IdTokenIssuer::issue(const IdTokenRequest& request) const {
  const SignInContext& s = request.sign_in;
  const auto signer = keys_.signer();  // one key for at_hash and the signature, across a rotation
  ClaimList claims;
  claims.set("iss", jsonQuote(issuer_));
  claims.set("sub", jsonQuote(request.subject));
  claims.set("aud", jsonQuote(request.client.client.client_id));
  claims.set("exp", std::to_string(request.expires_at));
  claims.set("iat", std::to_string(request.issued_at));
  claims.set("auth_time", std::to_string(s.auth_time));
  if (!s.nonce.empty()) claims.set("nonce", jsonQuote(s.nonce));
  if (!s.acr.empty()) claims.set("acr", jsonQuote(s.acr));
  if (s.amr_json != "[]") claims.set("amr", s.amr_json);
  if (!s.sid.empty()) claims.set("sid", jsonQuote(s.sid));
  if (!request.access_token.empty()) {
    claims.set("at_hash", jsonQuote(accessTokenHash(signer->alg(), request.access_token)));
  }
  for (auto& [name, value] : claimsForScopes(s.claims_json, request.scopes)) {
    claims.set(name, std::move(value));
  }
  TokenCustomizeInput input{"id_token", request.grant_type, request.client.client.client_id,
                            request.client.client.metadata_json};
  if (auto refused = runCustomizers(customizers_, input, claims, "ID token")) return *refused;
  try {
    return signer->sign("JWT", claims.toJson());
  } catch (const std::exception& e) {
    Poco::Logger::get("idgate.token").error(std::string("ID token signing failed: ") + e.what());
    return ApiError{ErrorCode::kServerError, "the ID token could not be signed"};
  }
}

}  // namespace idgate
