// What the admin API reports of each active plugin instance: how often the host called it, how
// often the call failed (an exception, a result code outside the ABI, a server error), and the
// time spent inside it. Counted without a lock on the request path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace idgate {

class PluginCallStats {
 public:
  struct Snapshot {
    uint64_t calls = 0;
    uint64_t failures = 0;
    uint64_t total_us = 0;
  };

  void record(std::chrono::steady_clock::duration took, bool failed) {
    calls_.fetch_add(1, std::memory_order_relaxed);
    if (failed) failures_.fetch_add(1, std::memory_order_relaxed);
    total_ns_.fetch_add(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()),
        std::memory_order_relaxed);
  }

  Snapshot snapshot() const {
    return {calls_.load(std::memory_order_relaxed), failures_.load(std::memory_order_relaxed),
            total_ns_.load(std::memory_order_relaxed) / 1000};
  }

 private:
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> total_ns_{0};
};

}  // namespace idgate
