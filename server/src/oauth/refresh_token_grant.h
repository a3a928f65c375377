// grant_type=refresh_token (RFC 6749 §6, RFC 9700 §4.14.2): the token is rotated at every use
// (used once, a successor issued in its family); a rotated token presented again, after the
// reuse grace, revokes the whole family and is logged as an attack. Scope may be narrowed,
// never widened. With openid, an ID token about the original sign-in comes too (OIDC Core
// §12.2).
#pragma once

#include "common/clock.h"
#include "config/identity_config.h"
#include "oauth/grant_handler.h"
#include "store/refresh_token_store.h"
#include "store/revoked_token_store.h"

namespace idgate {

/// The sign-in a refresh token carries (acr, amr, auth_time, claims; never the nonce).
std::string signInToJson(const SignInContext& sign_in);
SignInContext signInFromJson(const std::string& json, const std::string& sid);

/// Ends a grant: every refresh token of the family, and every access token issued with them,
/// revoked. Returns how many refresh tokens were still live. Throws StoreError.
int64_t revokeGrantFamily(RefreshTokenStore& tokens, RevokedTokenStore& revoked,
                          const std::string& family_id, int64_t now);

class RefreshTokenGrant : public GrantHandler {
 public:
  RefreshTokenGrant(RefreshTokenStore& tokens, RevokedTokenStore& revoked,
                    const RefreshTokenConfig& config, const Clock& clock)
      : tokens_(tokens), revoked_(revoked), config_(config), clock_(clock) {}

  const std::string& grantType() const override;
  std::optional<ApiError> precheck(const TokenRequest& request) const override;
  /// Store failures throw StoreError (the token route answers 500).
  std::variant<Grant, ApiError> grant(const TokenRequest& request,
                                      const AuthenticatedClient& client) const override;

 private:
  RefreshTokenStore& tokens_;
  RevokedTokenStore& revoked_;
  const RefreshTokenConfig& config_;
  const Clock& clock_;
};

}  // namespace idgate
