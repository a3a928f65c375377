// grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3): the code
// is redeemed once, for the client it was issued to, with the redirect_uri it was issued for and
// the PKCE verifier of its challenge; a request failing those checks does not spend it (whoever
// stole a code cannot burn it for its client). A second redemption is refused and revokes the
// access token the first one issued (RFC 6749 §4.1.2). With scope openid the grant carries the
// sign-in, so the token endpoint adds an ID token.
#pragma once

#include "common/clock.h"
#include "oauth/grant_handler.h"
#include "store/authorization_code_store.h"
#include "store/login_session_store.h"
#include "store/revoked_token_store.h"

namespace idgate {

class AuthorizationCodeGrant : public GrantHandler {
 public:
  /// `access_token_lifetime_s`: how long the revocation of a replayed code's token must last.
  AuthorizationCodeGrant(AuthorizationCodeStore& codes, LoginSessionStore& sessions,
                         RevokedTokenStore& revoked, const Clock& clock,
                         int64_t access_token_lifetime_s)
      : codes_(codes),
        sessions_(sessions),
        revoked_(revoked),
        clock_(clock),
        access_token_lifetime_s_(access_token_lifetime_s) {}

  const std::string& grantType() const override;
  std::optional<ApiError> precheck(const TokenRequest& request) const override;
  /// Store failures throw StoreError (the token route answers 500).
  std::variant<Grant, ApiError> grant(const TokenRequest& request,
                                      const AuthenticatedClient& client) const override;

 private:
  AuthorizationCodeStore& codes_;
  LoginSessionStore& sessions_;
  RevokedTokenStore& revoked_;
  const Clock& clock_;
  int64_t access_token_lifetime_s_;
};

}  // namespace idgate
