// Validates a JWT presented as the authentication token against one <openidConnectClient>,
// in the order of the reference: key, issuer, audience, time window, algorithm, signature,
// jti reuse, principal claim; then builds the subject. No clock reads inside: `now` is passed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/resource_server_config.h"
#include "resource/key_resolver.h"
#include "resource/subject.h"
#include "store/jti_store.h"

namespace idgate {

struct Validation {
  enum class Kind { kOk, kInvalid, kForbidden, kServerError };
  Kind kind = Kind::kInvalid;
  std::string description;  ///< for error_description (no token contents, no secrets)
  Subject subject;
  bool has_jti = false;
};

class TokenValidator {
 public:
  /// `jtis` may be null only when no config sets tokenReuse=false (tests).
  TokenValidator(KeyResolver& keys, JtiStore* jtis, const std::vector<RegistryUser>& registry)
      : keys_(keys), jtis_(jtis), registry_(registry) {}

  /// `own_origins`: scheme://host[:port] values, from configuration, that a token's `aud` URL
  /// must have when the config lists no audiences (see AudienceOrigins).
  Validation validate(const OidcClientConfig& config, const std::string& token,
                      const std::vector<std::string>& own_origins, int64_t now) const;

  /// The unverified iss of a token as `config` would read it (a JWE is decrypted with the
  /// config's key first), only to choose a configuration; "" when it cannot be read.
  std::string peekIssuer(const OidcClientConfig& config, const std::string& token) const;

 private:
  /// The compact JWS inside `token` (itself, or the decrypted nested JWT); error text if none.
  bool unwrap(const OidcClientConfig& config, const std::string& token, std::string* jws,
              std::string* error) const;

  KeyResolver& keys_;
  JtiStore* jtis_;
  const std::vector<RegistryUser>& registry_;
};

}  // namespace idgate
