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

/// What an access token will say.
struct Grant {
  std::string subject;              ///< sub
  std::vector<std::string> scopes;  ///< granted, in the order asked
  /// Further claims from a grant handler plugin: (name, JSON value).
  std::vector<std::pair<std::string, std::string>> extra_claims;
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
