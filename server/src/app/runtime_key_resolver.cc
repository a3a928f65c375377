#include "app/runtime_key_resolver.h"

#include <idgate/jose/json.h>
#include <idgate/jose/key_cache.h>

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
      return imported("jwks:" + c.jwk_endpoint_url + "\n" + *text, error, [&] {
        auto json = jose::parseJson(*text, jose::JsonLimits{16, 4 * 1024 * 1024});
        if (!json) return invalid("JWKS from " + c.jwk_endpoint_url + " is not JSON");
        return importSet(*json);
      });
    }
    if (!c.trust_alias_name.empty()) {
      auto store = c.trust_store_ref == "TrustStore" ? rt_.truststore() : rt_.keystore();
      const KeystoreEntry* e = store ? store->find(c.trust_alias_name) : nullptr;
      if (e == nullptr || e->chain.empty()) {
        *error =
            "no certificate under alias '" + c.trust_alias_name + "' in the " + c.trust_store_ref;
        return nullptr;
      }
      // The same keystore snapshot gives the same key: skip re-encoding the certificate.
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = by_alias_.find(c.id);
        if (it != by_alias_.end() && it->second.store.lock() == store) return it->second.set;
      }
      std::string der = crypto::certificateDer(e->chain.front().get());
      KeySet set = imported("cert:" + der, error, [&] {
        jose::ImportedKeys out;
        auto key = jose::importCertificate(der, &out.error);
        if (!key) return out;
        out.keys.push_back(std::move(*key));
        out.valid = true;
        return out;
      });
      if (set) {
        std::lock_guard<std::mutex> lock(mutex_);
        by_alias_[c.id] = AliasEntry{store, set};
      }
      return set;
    }
    if (c.own_issuer) {
      std::string text = rt_.signingKeys().jwksJson(rt_.clock().nowSeconds());
      return imported("own:" + text, error, [&] {
        auto json = jose::parseJson(text, jose::JsonLimits{16, 1024 * 1024});
        return json ? importSet(*json) : invalid("not a JWK set (no keys array)");
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
  static jose::ImportedKeys invalid(std::string why) {
    jose::ImportedKeys out;
    out.error = std::move(why);
    return out;
  }

  static jose::ImportedKeys importSet(const jose::Json& json) {
    jose::ImportedKeys out;
    auto set = jose::importJwks(json, &out.skipped, &out.error);
    if (!set) return out;
    out.keys = std::move(*set);
    out.valid = true;
    return out;
  }

  /// Importing validates every key and costs far more than a verification: imported sets are
  /// cached by their source (single flight, bounded).
  KeySet imported(const std::string& source, std::string* error,
                  const std::function<jose::ImportedKeys()>& import) {
    auto set = cache_.get(source, import);
    if (!set->valid) {
      *error = set->error;
      return nullptr;
    }
    return KeySet(set, &set->keys);  // shares ownership of the cache entry
  }

  struct AliasEntry {
    std::weak_ptr<const Keystore> store;  ///< the snapshot the key was read from
    KeySet set;
  };
  Runtime& rt_;
  jose::KeyCache cache_{64};
  std::mutex mutex_;
  std::map<std::string, AliasEntry> by_alias_;  ///< by <openidConnectClient> id
};

}  // namespace

std::unique_ptr<KeyResolver> makeRuntimeKeyResolver(Runtime& runtime) {
  return std::make_unique<RuntimeKeyResolver>(runtime);
}

}  // namespace idgate
