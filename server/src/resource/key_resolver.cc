#include "resource/key_resolver.h"

#include <idgate/jose/json.h>

#include <map>
#include <mutex>

#include "app/runtime.h"
#include "crypto/keys.h"

namespace idgate {
namespace {

class RuntimeKeyResolver : public KeyResolver {
 public:
  explicit RuntimeKeyResolver(Runtime& rt) : rt_(rt) {}

  KeySet keys(const OidcClientConfig& c, bool refresh, std::string* error) override {
    if (!c.jwk_endpoint_url.empty()) {
      auto text = rt_.jwksFetcher().get(c.jwk_endpoint_url, refresh, error);
      if (!text) return nullptr;
      return imported("jwks:" + *text, error, [&](std::string* why) -> KeySet {
        auto json = jose::parseJson(*text, jose::JsonLimits{16, 4 * 1024 * 1024});
        if (!json) {
          *why = "JWKS from " + c.jwk_endpoint_url + " is not JSON";
          return nullptr;
        }
        int skipped = 0;
        auto set = jose::importJwks(*json, &skipped, why);
        if (!set) return nullptr;
        return std::make_shared<const std::vector<jose::PublicKey>>(std::move(*set));
      });
    }
    if (!c.trust_alias_name.empty()) {
      auto store = c.trust_store_ref == "TrustStore" ? rt_.truststore() : rt_.keystore();
      const KeystoreEntry* e = store ? store->find(c.trust_alias_name) : nullptr;
      if (e == nullptr || e->chain.empty()) {
        *error = "no certificate under alias '" + c.trust_alias_name + "' in the " +
                 (c.trust_store_ref.empty() ? "KeyStore" : c.trust_store_ref);
        return nullptr;
      }
      // The same keystore snapshot gives the same key: skip re-encoding the certificate.
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = by_alias_.find(c.id);
        if (it != by_alias_.end() && it->second.store.lock() == store) return it->second.set;
      }
      std::string der = crypto::certificateDer(e->chain.front().get());
      KeySet set = imported("cert:" + der, error, [&](std::string* why) -> KeySet {
        auto key = jose::importCertificate(der, why);
        if (!key) return nullptr;
        return std::make_shared<const std::vector<jose::PublicKey>>(1, std::move(*key));
      });
      if (set) {
        std::lock_guard<std::mutex> lock(mutex_);
        by_alias_[c.id] = AliasEntry{store, set};
      }
      return set;
    }
    if (c.own_issuer) {
      std::string text = rt_.signingKeys().jwksJson(rt_.clock().nowSeconds());
      return imported("own:" + text, error, [&](std::string* why) -> KeySet {
        auto json = jose::parseJson(text, jose::JsonLimits{16, 1024 * 1024});
        int skipped = 0;
        auto set = json ? jose::importJwks(*json, &skipped, why) : std::nullopt;
        if (!set) return nullptr;
        return std::make_shared<const std::vector<jose::PublicKey>>(std::move(*set));
      });
    }
    *error = "no key source configured";
    return nullptr;
  }

  jose::KeyPtr decryptionKey(const OidcClientConfig& c, std::string* error) override {
    auto store = rt_.keystore();  // live: a key imported with keytool is used without restart
    const KeystoreEntry* e = store->find(c.key_management_key_alias);
    if (e == nullptr || e->kind != KeystoreEntry::Kind::kPrivateKey || !e->key) {
      *error = "no private key under alias '" + c.key_management_key_alias + "'";
      return nullptr;
    }
    EVP_PKEY_up_ref(e->key.get());
    return jose::KeyPtr(e->key.get(), EVP_PKEY_free);
  }

 private:
  /// Importing validates every key and costs far more than a verification: cache by source.
  template <typename Import>
  KeySet imported(const std::string& source, std::string* error, Import import) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = cache_.find(source);
      if (it != cache_.end()) return it->second;
    }
    KeySet set = import(error);
    if (!set) return nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    if (cache_.size() >= 64) cache_.clear();
    cache_.emplace(source, set);
    return set;
  }

  struct AliasEntry {
    std::weak_ptr<const Keystore> store;  ///< the snapshot the key was read from
    KeySet set;
  };
  Runtime& rt_;
  std::mutex mutex_;
  std::map<std::string, KeySet> cache_;
  std::map<std::string, AliasEntry> by_alias_;  ///< by <openidConnectClient> id
};

}  // namespace

std::unique_ptr<KeyResolver> makeRuntimeKeyResolver(Runtime& runtime) {
  return std::make_unique<RuntimeKeyResolver>(runtime);
}

}  // namespace idgate
