// Node-local cache of client assertion ids known to be used (identity.xml
// <Cache name="PrivateKeyJWT">). It can only short-cut a rejection: acceptance always goes
// through the host's atomic JTI store. Memory is bounded by `capacity` entries.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace idgate::plugins {

class JtiCache {
 public:
  JtiCache(bool enabled, int64_t timeout_s, size_t capacity)
      : enabled_(enabled && capacity > 0), timeout_s_(timeout_s), capacity_(capacity) {}

  /// true when (client, jti) is known used and the entry has not expired.
  bool knownUsed(const std::string& client_id, const std::string& jti, int64_t now) {
    if (!enabled_) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key(client_id, jti));
    return it != entries_.end() && it->second > now;
  }

  /// Remembers a used jti until min(expires_at, now + timeout).
  void remember(const std::string& client_id, const std::string& jti, int64_t expires_at,
                int64_t now) {
    if (!enabled_) return;
    int64_t until = std::min(expires_at, now + timeout_s_);
    if (until <= now) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::string k = key(client_id, jti);
    auto [it, inserted] = entries_.emplace(k, until);
    if (!inserted) {
      it->second = until;
      return;
    }
    order_.push_back(k);
    while (entries_.size() > capacity_) {  // oldest first; expired ones go the same way
      entries_.erase(order_.front());
      order_.pop_front();
    }
  }

  size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }

 private:
  static std::string key(const std::string& c, const std::string& j) { return c + '\0' + j; }

  bool enabled_;
  int64_t timeout_s_;
  size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, int64_t> entries_;
  std::deque<std::string> order_;
};

}  // namespace idgate::plugins
