// POST /oauth2/token (RFC 6749 §5, RFC 8707, RFC 9068): the grant_type's handler, client
// authentication and the access-token issuer, each behind an interface (unit tests use fakes).
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/oauth_error.h"
#include "oauth/access_token_issuer.h"
#include "oauth/client_authenticator.h"
#include "oauth/grant_handler.h"
#include "oauth/signing_keys.h"
#include "oauth/token_request.h"

namespace idgate {

struct TokenSettings {
  std::string issuer;
  int64_t access_token_lifetime_s = 3600;
};

class TokenEndpoint {
 public:
  TokenEndpoint(const ClientAuthenticator& clients,
                std::vector<std::shared_ptr<const GrantHandler>> grants,
                std::shared_ptr<const AccessTokenIssuer> issuer, const TokenSettings& settings,
                const Clock& clock);
  /// As the server runs: client_credentials, and RFC 9068 JWTs signed with `keys`.
  TokenEndpoint(const ClientAuthenticator& clients, const SigningKeys& keys,
                const TokenSettings& settings, const Clock& clock);

  struct Issued {
    std::string body;      ///< the JSON success body
    std::string log_note;  ///< "client=... method=..." for the access log
  };
  /// The success body, or the error.
  std::variant<Issued, ApiError> handle(const TokenRequest& request) const;

  /// The grant_type values it answers (discovery's grant_types_supported).
  std::vector<std::string> grantTypes() const;

 private:
  const ClientAuthenticator& clients_;
  std::vector<std::shared_ptr<const GrantHandler>> grants_;
  std::shared_ptr<const AccessTokenIssuer> issuer_;
  const TokenSettings& settings_;
  const Clock& clock_;
};

}  // namespace idgate
