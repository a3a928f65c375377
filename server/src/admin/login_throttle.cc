#include "admin/login_throttle.h"

#include <algorithm>

namespace idgate {

int64_t LoginThrottle::waitLocked(const std::string& key, int64_t now_ms) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || now_ms >= it->second.next_allowed_ms) return 0;
  return (it->second.next_allowed_ms - now_ms + 999) / 1000;
}

int64_t LoginThrottle::retryAfterSeconds(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  return waitLocked(key, clock_.nowMillis());
}

int64_t LoginThrottle::begin(const std::string& key) {
  const int64_t now = clock_.nowMillis();
  std::lock_guard<std::mutex> lock(mutex_);
  if (int64_t wait = waitLocked(key, now)) return wait;
  if (entries_.count(key) == 0 && !makeRoomLocked(now)) return 0;  // full: not tracked
  Entry& e = entries_[key];
  if (e.failures > 0 && now - e.last_failure_ms > kForgetSeconds * 1000) e = Entry{};
  e.failures = std::min(e.failures + 1, 1000);
  e.last_failure_ms = now;
  if (e.failures >= free_failures_) {
    int shift = std::min(e.failures - free_failures_, 20);  // 1, 2, 4, ... s, capped below
    e.next_allowed_ms = now + std::min<int64_t>(int64_t{1} << shift, max_delay_s_) * 1000;
  }
  return 0;
}

void LoginThrottle::succeeded(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(key);
}

void LoginThrottle::cancel(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (--it->second.failures <= 0) {
    entries_.erase(it);
  } else if (it->second.failures < free_failures_) {
    it->second.next_allowed_ms = 0;
  }
}

bool LoginThrottle::makeRoomLocked(int64_t now_ms) {
  if (entries_.size() < kMaxKeys) return true;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now_ms - it->second.last_failure_ms > kForgetSeconds * 1000 &&
        now_ms >= it->second.next_allowed_ms) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return entries_.size() < kMaxKeys;
}

std::string addressThrottleKey(const std::string& address) {
  if (address.find(':') == std::string::npos) return address;
  if (address.find('.') != std::string::npos)
    return address.substr(address.rfind(':') + 1);  // ::ffff:a.b.c.d
  // The first four groups of an IPv6 address (its /64), expanding a "::" among them.
  std::string a = address;
  if (!a.empty() && a.front() == '[') a = a.substr(1, a.find(']') - 1);
  size_t dc = a.find("::");
  std::string head = dc == std::string::npos ? a : a.substr(0, dc);
  std::string out;
  int groups = 0;
  size_t start = 0;
  while (groups < 4 && start <= head.size() && !head.empty()) {
    size_t end = head.find(':', start);
    if (end == std::string::npos) end = head.size();
    out += (groups ? ":" : "") + head.substr(start, end - start);
    ++groups;
    start = end + 1;
    if (end == head.size()) break;
  }
  while (groups < 4) {
    out += groups ? ":0" : "0";
    ++groups;
  }
  return out + "::/64";
}

}  // namespace idgate
