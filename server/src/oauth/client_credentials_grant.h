// grant_type=client_credentials (RFC 6749 §4.4): a confidential client registered for it gets
// a token for itself, with the scopes it asks for among those registered (all of them when it
// asks for none).
#pragma once

#include "oauth/grant_handler.h"

namespace idgate {

class ClientCredentialsGrant : public GrantHandler {
 public:
  const std::string& grantType() const override;
  std::optional<ApiError> precheck(const TokenRequest& request) const override;
  std::variant<Grant, ApiError> grant(const TokenRequest& request,
                                      const AuthenticatedClient& client) const override;
};

/// The scope tokens of a scope parameter (RFC 6749 §3.3: separated by spaces).
std::vector<std::string> splitScope(const std::string& scope);

/// The scopes a request gets: those asked for, each registered for the client (all registered
/// ones when it asks for none), or invalid_scope.
std::variant<std::vector<std::string>, ApiError> grantedScopes(const TokenRequest& request,
                                                               const ClientMetadataView& meta);

}  // namespace idgate
