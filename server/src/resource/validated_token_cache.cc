#include "resource/validated_token_cache.h"

#include "crypto/digest.h"

namespace idgate {

std::optional<Subject> ValidatedTokenCache::get(const std::string& key, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now > it->second.until) {
    order_.erase(it->second.order);
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.subject;
}

void ValidatedTokenCache::put(const std::string& key, const Subject& subject, int64_t until) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    order_.erase(it->second.order);
    entries_.erase(it);
  }
  while (entries_.size() >= capacity_ && !order_.empty()) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  entries_.emplace(key, Entry{subject, until, std::prev(order_.end())});
}

size_t ValidatedTokenCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::string ValidatedTokenCache::tokenHash(const std::string& token) {
  return crypto::sha256(token);
}

}  // namespace idgate
