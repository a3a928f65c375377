// Who the client of a token request is: the interface the token endpoint depends on. The
// plugin chain (ClientAuthenticationChain) is the server's implementation; tests use fakes.
#pragma once

#include <string>
#include <variant>

#include "common/oauth_error.h"
#include "oauth/token_request.h"
#include "store/client.h"

namespace idgate {

struct AuthenticatedClient {
  Client client;
  std::string method;  ///< the token_endpoint_auth_method that authenticated it
};

class ClientAuthenticator {
 public:
  virtual ~ClientAuthenticator() = default;
  virtual std::variant<AuthenticatedClient, ApiError> authenticate(
      const TokenRequest& request) const = 0;
};

}  // namespace idgate
