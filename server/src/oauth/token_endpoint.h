// POST /oauth2/token (RFC 6749 §5, RFC 8707, RFC 9068): the grant_type's handler, client
// authentication and the access-token issuer, each behind an interface (unit tests use fakes).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/oauth_error.h"
#include "config/identity_config.h"
#include "oauth/access_token_issuer.h"
#include "oauth/client_authenticator.h"
#include "oauth/grant_handler.h"
#include "oauth/id_token_issuer.h"
#include "oauth/signing_keys.h"
#include "oauth/token_request.h"
#include "resource/dpop_proof.h"
#include "store/refresh_token_store.h"

namespace idgate {

/// Grant handlers that come and go with the plugin set (the calling request's).
using GrantSource = std::function<std::vector<std::shared_ptr<const GrantHandler>>()>;

struct TokenSettings {
  std::string issuer;
  int64_t access_token_lifetime_s = 3600;
  int64_t id_token_lifetime_s = 3600;
};

class TokenEndpoint {
 public:
  /// `id_tokens`: for grants that carry a sign-in (none: no ID tokens).
  TokenEndpoint(const ClientAuthenticator& clients,
                std::vector<std::shared_ptr<const GrantHandler>> grants,
                std::shared_ptr<const AccessTokenIssuer> issuer, const TokenSettings& settings,
                const Clock& clock, std::shared_ptr<const IdTokenIssuer> id_tokens = nullptr);
  /// As the server runs: client_credentials, `more_grants` (the authorization code grant) and
  /// the plugins' grants; RFC 9068 JWTs and ID tokens signed with `keys`, customized by the
  /// plugins' token customizers.
  TokenEndpoint(const ClientAuthenticator& clients, const SigningKeys& keys,
                const TokenSettings& settings, const Clock& clock, GrantSource plugin_grants = {},
                CustomizerSource customizers = {},
                std::vector<std::shared_ptr<const GrantHandler>> more_grants = {});

  struct Issued {
    std::string body;         ///< the JSON success body
    std::string log_note;     ///< "client=... method=..." for the access log
    std::string grant_type;   ///< for the metrics
    std::string auth_method;  ///< the client's token_endpoint_auth_method
  };
  /// The success body, or the error.
  std::variant<Issued, ApiError> handle(const TokenRequest& request) const;

  /// The grant_type values it answers (discovery's grant_types_supported).
  std::vector<std::string> grantTypes() const;

  /// Where refresh tokens go (grants that carry a RefreshIssue get one); none: never issued.
  void setRefreshTokens(RefreshTokenStore* store, const RefreshTokenConfig* config) {
    refresh_store_ = store;
    refresh_config_ = config;
  }
  /// Checks DPoP proofs (RFC 9449) and binds tokens to their keys; none: DPoP headers are not
  /// looked at (unit tests).
  void setDpop(const DpopProofVerifier* verifier) { dpop_ = verifier; }

 private:
  /// The built-in grants, then the plugins' (a plugin never shadows a built-in type).
  std::vector<std::shared_ptr<const GrantHandler>> grants() const;

  const ClientAuthenticator& clients_;
  std::vector<std::shared_ptr<const GrantHandler>> grants_;
  GrantSource plugin_grants_;
  std::shared_ptr<const AccessTokenIssuer> issuer_;
  std::shared_ptr<const IdTokenIssuer> id_tokens_;
  RefreshTokenStore* refresh_store_ = nullptr;
  const RefreshTokenConfig* refresh_config_ = nullptr;
  const DpopProofVerifier* dpop_ = nullptr;
  const TokenSettings& settings_;
  const Clock& clock_;
};

}  // namespace idgate
