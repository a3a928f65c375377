#include "http/login_throttle.h"

#include <algorithm>

namespace idgate {

int64_t LoginThrottle::retryAfterSeconds(const std::string& key) {
  const int64_t now = clock_.nowMillis();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.next_allowed_ms) return 0;
  return (it->second.next_allowed_ms - now + 999) / 1000;
}

void LoginThrottle::failed(const std::string& key) {
  const int64_t now = clock_.nowMillis();
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() >= kMaxKeys && entries_.count(key) == 0) pruneLocked(now);
  Entry& e = entries_[key];
  if (e.failures > 0 && now - e.last_failure_ms > kForgetSeconds * 1000) e = Entry{};
  ++e.failures;
  e.last_failure_ms = now;
  if (e.failures >= kFreeFailures) {
    int shift = std::min(e.failures - kFreeFailures, 6);  // 1, 2, 4, ... 64 -> capped
    int64_t delay_s = std::min<int64_t>(int64_t{1} << shift, kMaxDelaySeconds);
    e.next_allowed_ms = now + delay_s * 1000;
  }
}

void LoginThrottle::succeeded(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(key);
}

void LoginThrottle::pruneLocked(int64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now_ms - it->second.last_failure_ms > kForgetSeconds * 1000) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  // Still full (a flood of fresh keys): forget everything rather than grow without bound.
  if (entries_.size() >= kMaxKeys) entries_.clear();
}

}  // namespace idgate
