// Imported public keys, cached by the text they came from (client metadata, a fetched JWKS, a
// certificate). Importing validates every key (points on the curve, RSA structure), which costs
// far more than a verification; the same text always yields the same keys. Bounded: the cache is
// emptied when it reaches `capacity` texts. Concurrent requests for one text import it once.
#pragma once

#include <idgate/jose/jwk.h>

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace idgate::jose {

struct ImportedKeys {
  std::vector<PublicKey> keys;
  std::string error;  ///< why the text yielded no key set, or why some keys were skipped
  int skipped = 0;
  bool valid = false;  ///< false: the text is not a usable key source at all
};

class KeyCache {
 public:
  explicit KeyCache(size_t capacity = 512) : capacity_(capacity) {}

  /// Single-flight: concurrent callers with the same text wait for one import.
  std::shared_ptr<const ImportedKeys> get(const std::string& text,
                                          const std::function<ImportedKeys()>& import) {
    std::promise<std::shared_ptr<const ImportedKeys>> mine;
    Entry entry;
    bool importer = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(text);
      if (it != entries_.end()) {
        entry = it->second;
      } else {
        if (entries_.size() >= capacity_) entries_.clear();
        entry = mine.get_future().share();
        entries_.emplace(text, entry);
        importer = true;
      }
    }
    if (importer) {
      try {
        mine.set_value(std::make_shared<const ImportedKeys>(import()));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        entries_.erase(text);
        mine.set_exception(std::current_exception());
      }
    }
    return entry.get();
  }

 private:
  using Entry = std::shared_future<std::shared_ptr<const ImportedKeys>>;
  size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace idgate::jose
