// Time is injected: validation code asks a Clock, never the system directly.
#pragma once

#include <chrono>
#include <cstdint>

namespace idgate {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t nowMillis() const = 0;
  int64_t nowSeconds() const { return nowMillis() / 1000; }
};

class SystemClock : public Clock {
 public:
  int64_t nowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace idgate
