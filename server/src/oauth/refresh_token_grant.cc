#include "oauth/refresh_token_grant.h"

#include <Poco/Logger.h>
#include <idgate/jose/json.h>

#include <algorithm>

#include "common/json_writer.h"
#include "crypto/digest.h"
#include "oauth/client_credentials_grant.h"
#include "store/revocation_list.h"

namespace idgate {

std::string signInToJson(const SignInContext& s) {
  return JsonWriter()
      .field("acr", s.acr)
      .raw("amr", s.amr_json)
      .field("auth_time", s.auth_time)
      .raw("claims", s.claims_json)
      .finish();
}

SignInContext signInFromJson(const std::string& json, const std::string& sid) {
  SignInContext s;
  s.sid = sid;
  auto j = jose::parseJson(json);
  if (!j || !j->isObject()) return s;
  s.acr = j->getString("acr").value_or("");
  if (const jose::Json* amr = j->get("amr"); amr != nullptr && amr->isArray()) {
    s.amr_json = jose::toJsonText(*amr);
  }
  if (const jose::Json* t = j->get("auth_time"); t != nullptr && t->isNumber()) {
    s.auth_time = static_cast<int64_t>(t->number());
  }
  if (const jose::Json* c = j->get("claims"); c != nullptr && c->isObject()) {
    s.claims_json = jose::toJsonText(*c);
  }
  return s;
}

int64_t revokeGrantFamily(RefreshTokenStore& tokens, RevokedTokenStore& revoked,
                          const std::string& family_id, int64_t now) {
  int64_t n = tokens.revokeFamily(family_id);
  // Those a validator's clock skew could still accept too.
  for (const auto& [jti, exp] :
       tokens.familyAccessTokens(family_id, now - RevocationList::kExpiredKeptSeconds)) {
    revoked.revoke(jti, exp);
  }
  return n;
}

const std::string& RefreshTokenGrant::grantType() const {
  static const std::string kType = "refresh_token";
  return kType;
}

std::optional<ApiError> RefreshTokenGrant::precheck(const TokenRequest& request) const {
  auto token = request.param("refresh_token");
  if (!token) return ApiError{ErrorCode::kInvalidRequest, "refresh_token is required"};
  if (auto scope = request.param("scope"); scope && splitScope(*scope).empty()) {
    return ApiError{ErrorCode::kInvalidScope, "scope is empty"};
  }
  return std::nullopt;
}

std::variant<Grant, ApiError> RefreshTokenGrant::grant(const TokenRequest& request,
                                                       const AuthenticatedClient& client) const {
  const ClientMetadataView& meta = client.client.metadata();
  if (!meta.readable)
    return ApiError{ErrorCode::kServerError, "stored client metadata is unreadable"};
  if (!meta.allowsGrant(grantType())) {
    return ApiError{ErrorCode::kUnauthorizedClient,
                    "client is not registered for the refresh_token grant"};
  }
  const int64_t now = clock_.nowSeconds();
  const std::string value = request.param("refresh_token").value_or("");
  auto token = value.size() <= 256 ? tokens_.find(crypto::sha256Hex(value)) : std::nullopt;
  // Another client's token is as unknown as no token: it is neither spent nor revoked.
  if (!token || token->client_id != client.client.client_id) {
    return ApiError{ErrorCode::kInvalidGrant, "unknown refresh token"};
  }
  if (token->revoked) return ApiError{ErrorCode::kInvalidGrant, "refresh token revoked"};
  if (token->expires_at <= now || token->family_expires_at <= now) {
    return ApiError{ErrorCode::kInvalidGrant, "refresh token expired: sign in again"};
  }
  // RFC 9449 §5: a bound token needs a proof with its key; a refused request does not spend it.
  if (!token->jkt.empty() && request.dpop_jkt != token->jkt) {
    return ApiError{ErrorCode::kInvalidGrant,
                    request.dpop_jkt.empty()
                        ? "the refresh token is bound to a DPoP key: send a DPoP proof signed "
                          "with it"
                        : "the DPoP proof is signed with another key than the refresh token is "
                          "bound to"};
  }
  // Scope: the family's, or less (RFC 6749 §6).
  const std::vector<std::string> family = splitScope(token->scope);
  std::vector<std::string> scopes = family;
  if (auto asked = request.param("scope")) {
    scopes.clear();
    for (const auto& s : splitScope(*asked)) {
      if (std::find(family.begin(), family.end(), s) == family.end()) {
        return ApiError{ErrorCode::kInvalidScope,
                        "scope '" + s + "' was not granted to this refresh token (granted: " +
                            token->scope + ")"};
      }
      if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
    }
  }
  const bool rotated = token->used_at == 0 && tokens_.markUsed(token->token_hash, now);
  if (!rotated) {
    // Used before (or just now, by a request that won the race). Within the grace a client's
    // retry gets a successor; after it, someone holds a stolen copy: the family ends.
    auto again = tokens_.find(token->token_hash);
    const int64_t used_at = again ? again->used_at : 0;
    if (used_at == 0 || now - used_at >= config_.reuse_grace_s) {
      int64_t n = revokeGrantFamily(tokens_, revoked_, token->family_id, now);
      Poco::Logger::get("idgate.token")
          .warning("refresh token reuse for client " + client.client.client_id + " and subject " +
                   token->subject + ": its family is revoked (" + std::to_string(n) +
                   " live tokens) with the access tokens issued from it");
      return ApiError{ErrorCode::kInvalidGrant,
                      "refresh token was already used; every token of this grant is revoked "
                      "(sign in again)"};
    }
  }
  Grant g;
  g.subject = token->subject;
  g.scopes = scopes;
  if (!token->session_id.empty()) {
    g.extra_claims.emplace_back("sid", "\"" + token->session_id + "\"");
  }
  // What a grant handler plugin added to the first token (e.g. assertion_iss) stays; a row
  // that cannot be read gives no token rather than one without them.
  auto carried = jose::parseJson(token->sign_in_json);
  if (!carried || !carried->isObject()) {
    return ApiError{ErrorCode::kServerError, "the refresh token's grant cannot be read"};
  }
  if (const jose::Json* c = carried->get("grant_claims"); c != nullptr && c->isObject()) {
    for (const auto& [name, value] : c->members()) {
      g.extra_claims.emplace_back(name, jose::toJsonText(value));
    }
  }
  // An ID token only for a sign-in (a grant without one, like the JWT bearer grant, had none).
  if (!token->session_id.empty() &&
      std::find(scopes.begin(), scopes.end(), "openid") != scopes.end()) {
    g.sign_in = signInFromJson(token->sign_in_json, token->session_id);
  }
  g.refresh = RefreshIssue{token->family_id,  token->family_expires_at, token->scope,
                           token->session_id, token->sign_in_json,      token->jkt};
  return g;
}

}  // namespace idgate
