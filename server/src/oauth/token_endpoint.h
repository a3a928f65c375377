// POST /oauth2/token: the client_credentials grant, RFC 6749 §4.4 and §5, RFC 8707, RFC 9068.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "common/clock.h"
#include "common/oauth_error.h"
#include "oauth/client_authentication.h"
#include "oauth/signing_keys.h"
#include "oauth/token_request.h"

namespace idgate {

struct TokenSettings {
  std::string issuer;
  int64_t access_token_lifetime_s = 3600;
};

class TokenEndpoint {
 public:
  TokenEndpoint(const ClientAuthenticationChain& chain, const SigningKeys& keys,
                const TokenSettings& settings, const Clock& clock)
      : chain_(chain), keys_(keys), settings_(settings), clock_(clock) {}

  struct Issued {
    std::string body;      ///< the JSON success body
    std::string log_note;  ///< "client=... method=..." for the access log
  };
  /// The success body, or the error.
  std::variant<Issued, ApiError> handle(const TokenRequest& request) const;

 private:
  const ClientAuthenticationChain& chain_;
  const SigningKeys& keys_;
  const TokenSettings& settings_;
  const Clock& clock_;
};

}  // namespace idgate
