// Reading property and claim values, shared by the bundled plugins (compiled into each).
#pragma once

#include <idgate/sdk.h>

#include <cstdint>
#include <string>
#include <vector>

namespace idgate::plugins {

/// The non-empty pieces of `text` between any of the `separators`.
inline std::vector<std::string> splitAny(const std::string& text, const std::string& separators) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (separators.find(c) != std::string::npos) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

/// `text` as an integer in [min, max], or ConfigError naming the property `name`.
inline int64_t integerProperty(const std::string& name, const std::string& text, int64_t min,
                               int64_t max) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(text, &used);
    if (used == text.size() && v >= min && v <= max) return v;
  } catch (...) {
  }
  throw idgate::sdk::ConfigError("property " + name + " must be an integer from " +
                                 std::to_string(min) + " to " + std::to_string(max) + ", not '" +
                                 text + "'");
}

}  // namespace idgate::plugins
