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

  /// `request_origin`: scheme://host[:port] of the request, for the audience rule when the
  /// config lists no audiences.
  Validation validate(const OidcClientConfig& config, const std::string& token,
                      const std::string& request_origin, int64_t now) const;

 private:
  KeyResolver& keys_;
  JtiStore* jtis_;
  const std::vector<RegistryUser>& registry_;
};

}  // namespace idgate
