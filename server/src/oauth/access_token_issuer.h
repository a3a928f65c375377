// Turns a grant into an access token: the interface the token endpoint depends on, and the
// server's implementation, RFC 9068 JWTs signed with the keystore's signing key.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "oauth/client_authenticator.h"
#include "oauth/grant_handler.h"
#include "oauth/signing_keys.h"
#include "plugins/token_customizer.h"

namespace idgate {

struct AccessTokenRequest {
  std::string grant_type;
  const Grant& grant;
  const AuthenticatedClient& client;
  std::vector<std::string> audiences;  ///< RFC 8707 resources; empty: the issuer
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  std::string jti;  ///< the caller's (it may record it); a fresh random one when empty
  std::string jkt;  ///< a DPoP proof's key thumbprint: the token is bound to it (cnf.jkt)
};

class AccessTokenIssuer {
 public:
  virtual ~AccessTokenIssuer() = default;
  /// The token, or why none could be made (a server error).
  virtual std::variant<std::string, ApiError> issue(const AccessTokenRequest& request) const = 0;
};

/// The token customizers in force for the calling request, in order.
using CustomizerSource = std::function<std::vector<std::shared_ptr<const TokenCustomizerPlugin>>()>;

/// Runs each customizer in order over `claims`: nullopt, or the refusal (403 when one denied,
/// 500 when one failed; `what` names the token in the log and the message).
std::optional<ApiError> runCustomizers(const CustomizerSource& customizers,
                                       const TokenCustomizeInput& input, ClaimList& claims,
                                       const std::string& what);

/// RFC 9068: iss, sub, aud, client_id, iat, exp, jti, scope; typ at+jwt. A grant handler's
/// extra claims come next (never over those), then each token customizer in order.
class JwtAccessTokenIssuer : public AccessTokenIssuer {
 public:
  JwtAccessTokenIssuer(const SigningKeys& keys, std::string issuer,
                       CustomizerSource customizers = {})
      : keys_(keys), issuer_(std::move(issuer)), customizers_(std::move(customizers)) {}
  std::variant<std::string, ApiError> issue(const AccessTokenRequest& request) const override;

 private:
  const SigningKeys& keys_;
  std::string issuer_;
  CustomizerSource customizers_;
};

}  // namespace idgate
