// Exponential backoff for password guesses, per key (a source address, a user name). The admin
// password hash is deliberately slow (~150 ms of CPU): unthrottled, ten wrong guesses a second
// took a core and pushed token latency past a second. begin() counts an attempt before the
// hash is computed (so concurrent guesses count too) and succeeded() takes it back. After
// `free_failures` failures a key waits 1 s, then 2, 4, ... up to `max_delay_s`; a key forgets
// its failures after kForgetSeconds without one. At most kMaxKeys keys are tracked; when full
// and nothing has expired, new keys are not tracked (the caller's other key still limits them).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace idgate {

class LoginThrottle {
 public:
  static constexpr int64_t kForgetSeconds = 900;
  static constexpr size_t kMaxKeys = 100000;

  explicit LoginThrottle(const Clock& clock, int free_failures = 5, int64_t max_delay_s = 60)
      : clock_(clock), free_failures_(free_failures), max_delay_s_(max_delay_s) {}

  /// 0: go ahead, the attempt is counted as a failure until succeeded(); else the whole
  /// seconds to wait (for Retry-After), and nothing is counted.
  int64_t begin(const std::string& key);
  /// Only the wait, counting nothing.
  int64_t retryAfterSeconds(const std::string& key);
  void succeeded(const std::string& key);
  /// Takes back one attempt begin() counted (it was not a guess after all: it was not made,
  /// or it succeeded on a key that must not forget its other failures, an address).
  void cancel(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    int64_t last_failure_ms = 0;
    int64_t next_allowed_ms = 0;
  };
  int64_t waitLocked(const std::string& key, int64_t now_ms) const;
  bool makeRoomLocked(int64_t now_ms);

  const Clock& clock_;
  const int free_failures_;
  const int64_t max_delay_s_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

/// The throttle key of a peer address: an IPv4 address as it is, an IPv6 address by its /64
/// (one host commonly holds a whole /64).
std::string addressThrottleKey(const std::string& address);

}  // namespace idgate
