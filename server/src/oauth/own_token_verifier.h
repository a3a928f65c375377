// Verifies a JWT this server signed (the keys of its own JWKS: the signing key and retired keys
// still published): the bearer token of userinfo, the id_token_hint of logout.
#pragma once

#include <idgate/jose/json.h>

#include <optional>
#include <string>

#include "oauth/signing_keys.h"

namespace idgate {

class OwnTokenVerifier {
 public:
  OwnTokenVerifier(const SigningKeys& keys, std::string issuer)
      : keys_(keys), issuer_(std::move(issuer)) {}

  struct Options {
    std::string typ;             ///< required header typ ("at+jwt", "JWT")
    bool allow_expired = false;  ///< an id_token_hint may have expired (RP-initiated logout §2)
    int64_t skew_s = 0;
  };
  /// The payload of a token with our signature, our iss, the typ asked for and (unless allowed
  /// otherwise) an exp still ahead; else nullopt and `why`.
  std::optional<jose::Json> verify(const std::string& token, const Options& options, int64_t now,
                                   std::string* why) const;

 private:
  const SigningKeys& keys_;
  std::string issuer_;
};

}  // namespace idgate
