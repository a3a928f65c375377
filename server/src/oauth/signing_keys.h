// The server's token signing key (the keystore entry named by KeyAlias) and the JWKS it publishes.
#pragma once

#include <memory>
#include <string>

#include "crypto/jws_signer.h"
#include "keystore/keystore.h"

namespace idgate {

class SigningKeys {
 public:
  /// Throws KeystoreError when the alias is missing, not a private key, or of an unusable type.
  SigningKeys(const Keystore& keystore, const std::string& alias);

  const crypto::JwsSigner& signer() const { return *signer_; }
  /// {"keys":[...]} with the public signing key(s).
  const std::string& jwksJson() const { return jwks_json_; }

 private:
  std::unique_ptr<crypto::JwsSigner> signer_;
  std::string jwks_json_;
};

}  // namespace idgate
