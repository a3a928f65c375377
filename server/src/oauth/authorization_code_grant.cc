#include "oauth/authorization_code_grant.h"

#include <Poco/Logger.h>

#include "crypto/random.h"
#include "oauth/client_credentials_grant.h"
#include "oauth/pkce.h"
#include "oauth/refresh_token_grant.h"

namespace idgate {

const std::string& AuthorizationCodeGrant::grantType() const {
  static const std::string kType = "authorization_code";
  return kType;
}

std::optional<ApiError> AuthorizationCodeGrant::precheck(const TokenRequest& request) const {
  auto code = request.param("code");
  if (!code) return ApiError{ErrorCode::kInvalidRequest, "code is required"};
  if (code->size() > 256) return ApiError{ErrorCode::kInvalidGrant, "unknown authorization code"};
  if (!request.param("redirect_uri")) {
    return ApiError{ErrorCode::kInvalidRequest,
                    "redirect_uri is required (the one sent with the authorization request)"};
  }
  if (auto verifier = request.param("code_verifier"); verifier && !isValidCodeVerifier(*verifier)) {
    return ApiError{ErrorCode::kInvalidRequest,
                    "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)"};
  }
  return std::nullopt;
}

std::variant<Grant, ApiError> AuthorizationCodeGrant::grant(
    const TokenRequest& request, const AuthenticatedClient& client) const {
  const ClientMetadataView& meta = client.client.metadata();
  if (!meta.readable)
    return ApiError{ErrorCode::kServerError, "stored client metadata is unreadable"};
  if (!meta.allowsGrant(grantType())) {
    return ApiError{ErrorCode::kUnauthorizedClient,
                    "client is not registered for the authorization_code grant"};
  }
  const int64_t now = clock_.nowSeconds();
  const std::string hash = authorizationCodeHash(*request.param("code"));
  auto replayed = [&](const AuthorizationCode& code) -> ApiError {
    // RFC 6749 §4.1.2: someone else may hold the code; what it gave out is withdrawn.
    if (!code.issued_jti.empty()) revoked_.revoke(code.issued_jti, code.issued_expires_at);
    Poco::Logger::get("idgate.token")
        .warning("authorization code of client " + code.client_id +
                 " presented again; the access token it issued is revoked");
    return ApiError{ErrorCode::kInvalidGrant,
                    "authorization code was already used; the tokens issued with it are revoked"};
  };
  // Checked before the code is spent: a request that fails them leaves it to its client.
  auto stored = codes_.find(hash);
  if (!stored) return ApiError{ErrorCode::kInvalidGrant, "unknown authorization code"};
  if (stored->used_at != 0) return replayed(*stored);
  if (stored->expires_at < now) {
    return ApiError{ErrorCode::kInvalidGrant,
                    "authorization code expired (codes are good for 60 seconds): start the "
                    "authorization again"};
  }
  const AuthorizationCode& code = *stored;
  if (code.client_id != client.client.client_id) {
    return ApiError{ErrorCode::kInvalidGrant, "authorization code was issued to another client"};
  }
  if (*request.param("redirect_uri") != code.redirect_uri) {
    return ApiError{ErrorCode::kInvalidGrant,
                    "redirect_uri differs from the one of the authorization request"};
  }
  auto verifier = request.param("code_verifier");
  if (!code.code_challenge.empty()) {
    if (!verifier) return ApiError{ErrorCode::kInvalidGrant, "code_verifier is required (PKCE)"};
    if (!verifiesS256(*verifier, code.code_challenge)) {
      return ApiError{ErrorCode::kInvalidGrant, "code_verifier does not match the code_challenge"};
    }
  } else if (verifier) {
    // RFC 9700 §2.1.1: a verifier for a code that had no challenge is a downgrade attempt.
    return ApiError{ErrorCode::kInvalidGrant,
                    "code_verifier sent, but the authorization request had no code_challenge"};
  }
  // RFC 9449 §10: a code bound to a DPoP key is redeemed with a proof of that key.
  if (!code.dpop_jkt.empty() && request.dpop_jkt != code.dpop_jkt) {
    return ApiError{ErrorCode::kInvalidDpopProof,
                    request.dpop_jkt.empty()
                        ? "the authorization code is bound to a DPoP key (dpop_jkt): send a DPoP "
                          "proof signed with it"
                        : "the DPoP proof is signed with another key than the authorization "
                          "request's dpop_jkt"};
  }
  auto session = sessions_.findBySid(code.session_id, now);
  if (!session) {
    return ApiError{ErrorCode::kInvalidGrant, "the sign-in session of this code has ended"};
  }
  // Spent now, atomically, with the jti of the token about to be issued.
  const std::string jti = crypto::randomToken(16);
  AuthorizationCodeStore::Redemption r =
      codes_.redeem(hash, now, jti, now + access_token_lifetime_s_);
  if (r.outcome == AuthorizationCodeStore::Outcome::kReplayed) return replayed(*r.code);
  if (r.outcome != AuthorizationCodeStore::Outcome::kRedeemed) {
    return ApiError{ErrorCode::kInvalidGrant, "authorization code expired or unknown"};
  }
  Grant g;
  g.subject = code.subject;
  g.scopes = splitScope(code.scope);
  g.extra_claims.emplace_back("sid", "\"" + code.session_id + "\"");  // random base64url
  SignInContext s;
  s.nonce = code.nonce;
  s.sid = code.session_id;
  s.acr = session->acr;
  s.amr_json = session->amr_json;
  s.claims_json = session->claims_json;
  s.auth_time = code.auth_time;
  if (std::find(g.scopes.begin(), g.scopes.end(), "openid") != g.scopes.end()) g.sign_in = s;
  // offline_access (kept by the authorization request only for clients registered for
  // refresh_token): a refresh token, in a new family.
  if (std::find(g.scopes.begin(), g.scopes.end(), "offline_access") != g.scopes.end() &&
      meta.allowsGrant("refresh_token")) {
    g.refresh = RefreshIssue{"", 0, code.scope, code.session_id, signInToJson(s), ""};
  }
  g.jti = jti;
  return g;
}

}  // namespace idgate
