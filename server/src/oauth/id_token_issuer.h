// The OpenID Connect ID token (OIDC Core §2, §3.1.3.6): who signed in, for which client, when and
// how, bound to the access token it came with (at_hash), with the user's claims the scopes
// release; the token customizer plugins see it (token_type "id_token") before it is signed.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "oauth/access_token_issuer.h"
#include "oauth/grant_handler.h"
#include "oauth/signing_keys.h"

namespace idgate {

struct IdTokenRequest {
  std::string grant_type;
  const AuthenticatedClient& client;
  std::string subject;
  std::vector<std::string> scopes;
  const SignInContext& sign_in;
  std::string access_token;  ///< for at_hash; empty: none
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

/// at_hash (OIDC Core §3.1.3.6): the left half of the hash of the access token, with the hash
/// of the signing algorithm (SHA-256 for *256, SHA-384 for *384, SHA-512 for *512 and EdDSA's
/// Ed25519... which OIDC leaves unsaid: SHA-512), base64url.
std::string accessTokenHash(const std::string& alg, const std::string& access_token);

class IdTokenIssuer {
 public:
  IdTokenIssuer(const SigningKeys& keys, std::string issuer, CustomizerSource customizers = {})
      : keys_(keys), issuer_(std::move(issuer)), customizers_(std::move(customizers)) {}
  std::variant<std::string, ApiError> issue(const IdTokenRequest& request) const;

 private:
  const SigningKeys& keys_;
  std::string issuer_;
  CustomizerSource customizers_;
};

}  // namespace idgate
