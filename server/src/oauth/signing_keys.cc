#include "oauth/signing_keys.h"

#include "crypto/jwk.h"
#include "crypto/keys.h"

namespace idgate {

namespace {

const KeystoreEntry& signingEntry(const Keystore& keystore, const std::string& alias,
                                  std::string* alg) {
  const KeystoreEntry* e = keystore.find(alias);
  if (e == nullptr) throw KeystoreError("keystore has no entry with alias '" + alias + "'");
  if (e->kind != KeystoreEntry::Kind::kPrivateKey || !e->key) {
    throw KeystoreError("keystore entry '" + alias + "' is not a private key entry");
  }
  auto a = crypto::signingAlgorithmFor(e->key.get());
  if (!a) throw KeystoreError("keystore entry '" + alias + "' has an unsupported key type");
  *alg = *a;
  return *e;
}

}  // namespace

SigningKeys::SigningKeys(const Keystore& keystore, const std::string& alias,
                         const std::vector<RetiredKeyConfig>& retired) {
  std::string alg;
  const KeystoreEntry& e = signingEntry(keystore, alias, &alg);
  crypto::PublicJwk jwk = crypto::publicJwk(e.key.get(), "", alg);
  signer_ = std::make_unique<crypto::JwsSigner>(e.key, alg, jwk.thumbprint);
  current_jwk_ = jwk.json;
  for (const auto& r : retired) {
    std::string ralg;
    const KeystoreEntry& re = signingEntry(keystore, r.alias, &ralg);
    retired_.emplace_back(crypto::publicJwk(re.key.get(), "", ralg).json, r.publish_until);
  }
}

std::string SigningKeys::jwksJson(int64_t now) const {
  std::string keys = current_jwk_;
  for (const auto& [jwk, until] : retired_) {
    if (now < until) keys += "," + jwk;
  }
  return "{\"keys\":[" + keys + "]}";
}

}  // namespace idgate
