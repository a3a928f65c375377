// POST /oauth2/revoke (RFC 7009) and POST /oauth2/introspect (RFC 7662): the caller authenticates
// through the client-authenticator chain (every method, private_key_jwt included). Revocation:
// a refresh token ends with its whole family, an access token of this server is listed by jti
// until its exp; only the client a token was issued to may revoke it; an unknown token is a 200.
// Introspection: clients registered with introspection_allowed; active false for expired,
// revoked or unknown tokens alike.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "common/clock.h"
#include "oauth/client_authenticator.h"
#include "oauth/own_token_verifier.h"
#include "oauth/signing_keys.h"
#include "store/refresh_token_store.h"
#include "store/revoked_token_store.h"

namespace idgate {

class TokenLifecycle {
 public:
  TokenLifecycle(const ClientAuthenticator& clients, RefreshTokenStore& refresh,
                 RevokedTokenStore& revoked, const OwnTokenVerifier& verifier,
                 const SigningKeys& keys, std::string issuer, const Clock& clock, int64_t skew_s)
      : clients_(clients),
        keys_(keys),
        issuer_(std::move(issuer)),
        refresh_(refresh),
        revoked_(revoked),
        verifier_(verifier),
        clock_(clock),
        skew_s_(skew_s) {}

  /// nullopt: 200 (revoked, or nothing to revoke). Store failures throw StoreError.
  std::optional<ApiError> revoke(const TokenRequest& request) const;
  /// The RFC 7662 JSON body, or the error; `as_jwt`: the answer as RFC 9701's signed JWT
  /// (typ token-introspection+jwt, aud the caller). Store failures throw StoreError.
  std::variant<std::string, ApiError> introspect(const TokenRequest& request,
                                                 bool as_jwt = false) const;

 private:
  /// The authenticated caller and the token, or the error.
  std::variant<AuthenticatedClient, ApiError> caller(const TokenRequest& request) const;

  const ClientAuthenticator& clients_;
  const SigningKeys& keys_;
  std::string issuer_;
  RefreshTokenStore& refresh_;
  RevokedTokenStore& revoked_;
  const OwnTokenVerifier& verifier_;
  const Clock& clock_;
  int64_t skew_s_;
};

}  // namespace idgate
