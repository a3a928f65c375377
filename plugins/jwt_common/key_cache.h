// Imported public keys, cached by the text they came from (client metadata, a fetched JWKS, a
// certificate). Importing validates every key (points on the curve, RSA structure), which costs
// far more than a verification; the same text always yields the same keys. Bounded: the cache is
// emptied when it reaches `capacity` texts.
#pragma once

#include <idgate/jose/jwk.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace idgate::plugins {

struct ImportedKeys {
  std::vector<jose::PublicKey> keys;
  std::string error;  ///< why the text yielded no key set, or why some keys were skipped
  int skipped = 0;
  bool valid = false;  ///< false: the text is not a usable key source at all
};

class KeyCache {
 public:
  explicit KeyCache(size_t capacity = 512) : capacity_(capacity) {}

  std::shared_ptr<const ImportedKeys> get(const std::string& text,
                                          const std::function<ImportedKeys()>& import) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(text);
      if (it != entries_.end()) return it->second;
    }
    auto imported = std::make_shared<const ImportedKeys>(import());
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.emplace(text, imported);
    return imported;
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const ImportedKeys>> entries_;
};

}  // namespace idgate::plugins
