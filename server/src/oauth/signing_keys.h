// The server's token signing key (the keystore entry named by KeyAlias) and the JWKS it publishes.
// Live: a rotation (Runtime::rotateSigningKey) or a keystore reload swaps in new keys at once;
// a caller keeps the signer it took for as long as it needs it.
#pragma once

#include <memory>
#include <mutex>
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
  /// keep verifying after a rotation; so do the keystore's entries named retiredAlias(alias, t).
  SigningKeys(const Keystore& keystore, std::string alias,
              std::vector<RetiredKeyConfig> retired = {});

  std::shared_ptr<const crypto::JwsSigner> signer() const;
  /// {"keys":[...]}: the current key, then retired keys still within their publishing time.
  std::string jwksJson(int64_t now) const;
  /// Takes the keys from `keystore` (a rotation, a reload of the file); throws KeystoreError and
  /// keeps the current keys when it has no usable key under the alias.
  void reload(const Keystore& keystore);
  /// Why reload(keystore) would fail, or empty when it would succeed.
  std::string check(const Keystore& keystore) const;

  const std::string& alias() const { return alias_; }
  /// "<alias>.retired-until.<unix seconds>": where a rotation keeps the previous key.
  static std::string retiredAlias(const std::string& alias, int64_t until);
  /// The publishing end of a retired entry of `alias`, or -1 when `entry_alias` is not one.
  static int64_t retiredUntil(const std::string& alias, const std::string& entry_alias);

 private:
  struct State {
    std::shared_ptr<const crypto::JwsSigner> signer;
    std::string current_jwk;
    std::vector<std::pair<std::string, int64_t>> retired;  // (JWK, publish until)
  };
  std::shared_ptr<const State> build(const Keystore& keystore) const;
  std::shared_ptr<const State> state() const;

  const std::string alias_;
  const std::vector<RetiredKeyConfig> configured_retired_;
  mutable std::mutex mutex_;
  std::shared_ptr<const State> state_;
};

}  // namespace idgate
