// Liberty's accessTokenCache: validated results by (configuration, request origin, token
// hash), bounded, each entry kept no longer than the configured timeout nor past exp + skew.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "resource/subject.h"

namespace idgate {

class ValidatedTokenCache {
 public:
  explicit ValidatedTokenCache(size_t capacity = 500) : capacity_(capacity) {}

  std::optional<Subject> get(const std::string& key, int64_t now);
  void put(const std::string& key, const Subject& subject, int64_t until);
  size_t size() const;

  /// sha256 of the token, so the cache never holds bearer tokens themselves.
  static std::string tokenHash(const std::string& token);

 private:
  struct Entry {
    Subject subject;
    int64_t until;
    std::list<std::string>::iterator order;
  };
  size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  ///< oldest insert first
};

}  // namespace idgate
