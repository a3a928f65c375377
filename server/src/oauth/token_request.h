// A token endpoint request after form decoding (no HTTP types: the logic is testable alone).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace idgate {

struct TokenRequest {
  std::vector<std::pair<std::string, std::string>> params;  ///< decoded, empty values dropped
  std::string authorization;                                ///< Authorization header or empty
  std::string endpoint_url;                                 ///< absolute URL it was sent to

  std::optional<std::string> param(const std::string& name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : params) {
      if (k == name) out.push_back(v);
    }
    return out;
  }
};

}  // namespace idgate
