// One grant_type of the token endpoint (RFC 6749 §4, extensions by URI): the checks of the
// request that need no client (made before authentication, so a malformed request burns no
// one-time assertion), then the grant for the authenticated client. client_credentials is built
// in; PluginGrant puts a grant handler plugin behind the same interface.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "oauth/client_authenticator.h"
#include "oauth/token_request.h"

namespace idgate {

/// Who signed in, when and how: a grant with it (the authorization code's, scope openid) gets
/// an ID token next to the access token (OIDC Core §3.1.3.3).
struct SignInContext {
  std::string nonce;
  std::string sid;
  std::string acr;
  std::string amr_json = "[]";
  std::string claims_json = "{}";  ///< the user's claims, filtered by scope for the ID token
  int64_t auth_time = 0;
};

/// A refresh token to issue with the access token: a new family (family_id empty) or the next
/// token of one (a rotation).
struct RefreshIssue {
  std::string family_id;
  int64_t family_expires_at = 0;
  std::string scope;  ///< the family's scope (a refresh may narrow the access token, not this)
  std::string session_id;
  std::string sign_in_json = "{}";
  std::string jkt;  ///< the DPoP key the family is bound to (a public client's), or ""
};

/// What an access token will say.
struct Grant {
  std::string subject;              ///< sub
  std::vector<std::string> scopes;  ///< granted, in the order asked
  /// Further claims from a grant handler plugin: (name, JSON value).
  std::vector<std::pair<std::string, std::string>> extra_claims;
  std::optional<SignInContext> sign_in;
  /// The access token's jti when the grant chose it (the authorization code records it before
  /// the token exists, so a replay can revoke it); empty: a fresh random one.
  std::string jti;
  std::optional<RefreshIssue> refresh;
  /// The token's aud when the grant decides it (token exchange); empty: the resource
  /// parameters, else the issuer.
  std::vector<std::string> audiences;
  /// issued_token_type for the response (RFC 8693 §2.2.1); empty: not sent.
  std::string issued_token_type;
};

class GrantHandler {
 public:
  virtual ~GrantHandler() = default;
  /// The grant_type value it answers.
  virtual const std::string& grantType() const = 0;
  /// Checks that need no client; nullopt when the request may go on to authentication.
  virtual std::optional<ApiError> precheck(const TokenRequest& request) const = 0;
  /// The grant for `client`, or why not.
  virtual std::variant<Grant, ApiError> grant(const TokenRequest& request,
                                              const AuthenticatedClient& client) const = 0;
};

}  // namespace idgate
