#include "oauth/signing_keys.h"

#include "crypto/jwk.h"
#include "crypto/keys.h"

namespace idgate {

SigningKeys::SigningKeys(const Keystore& keystore, const std::string& alias) {
  const KeystoreEntry* e = keystore.find(alias);
  if (e == nullptr) throw KeystoreError("keystore has no entry with alias '" + alias + "'");
  if (e->kind != KeystoreEntry::Kind::kPrivateKey || !e->key) {
    throw KeystoreError("keystore entry '" + alias + "' is not a private key entry");
  }
  auto alg = crypto::signingAlgorithmFor(e->key.get());
  if (!alg) throw KeystoreError("keystore entry '" + alias + "' has an unsupported key type");
  crypto::PublicJwk jwk = crypto::publicJwk(e->key.get(), "", *alg);
  signer_ = std::make_unique<crypto::JwsSigner>(e->key, *alg, jwk.thumbprint);
  jwks_json_ = "{\"keys\":[" + jwk.json + "]}";
}

}  // namespace idgate
