// The server's token signing key (the keystore entry named by KeyAlias) and the JWKS it publishes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/server_config.h"
#include "crypto/jws_signer.h"
#include "keystore/keystore.h"

namespace idgate {

class SigningKeys {
 public:
  /// Throws KeystoreError when an alias is missing, not a private key, or of an unusable type.
  /// `retired` keys no longer sign but stay published until their time, so tokens they signed
  /// keep verifying after a rotation.
  SigningKeys(const Keystore& keystore, const std::string& alias,
              const std::vector<RetiredKeyConfig>& retired = {});

  const crypto::JwsSigner& signer() const { return *signer_; }
  /// {"keys":[...]}: the current key, then retired keys still within their publishing time.
  std::string jwksJson(int64_t now) const;

 private:
  std::unique_ptr<crypto::JwsSigner> signer_;
  std::string current_jwk_;
  std::vector<std::pair<std::string, int64_t>> retired_;  // (JWK, publish until)
};

}  // namespace idgate
