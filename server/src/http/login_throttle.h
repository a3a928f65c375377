// Exponential backoff for failed password logins, per key (a source address, a user name).
// The admin password hash is deliberately slow (~150 ms of CPU): unthrottled, ten wrong
// guesses a second took a core and pushed token latency past a second. After kFreeFailures
// failures a key waits 1 s, then 2, 4, ... up to kMaxDelaySeconds before its next attempt is
// even checked; a success clears it; a key forgets its failures after kForgetSeconds quiet.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace idgate {

class LoginThrottle {
 public:
  static constexpr int kFreeFailures = 5;
  static constexpr int64_t kMaxDelaySeconds = 60;
  static constexpr int64_t kForgetSeconds = 900;
  static constexpr size_t kMaxKeys = 100000;

  explicit LoginThrottle(const Clock& clock) : clock_(clock) {}

  /// 0 when `key` may try now, else the whole seconds to wait (for Retry-After).
  int64_t retryAfterSeconds(const std::string& key);
  void failed(const std::string& key);
  void succeeded(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    int64_t last_failure_ms = 0;
    int64_t next_allowed_ms = 0;
  };
  void pruneLocked(int64_t now_ms);

  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace idgate
