// A token's claims in the order they were written: names with their values as JSON text, so a
// token customizer can set and remove claims before the token is serialized and signed.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace idgate {

class ClaimList {
 public:
  /// Sets `name` to `json` (valid JSON text), in place when present, else at the end.
  void set(const std::string& name, std::string json) {
    for (auto& [n, v] : claims_) {
      if (n == name) {
        v = std::move(json);
        return;
      }
    }
    claims_.emplace_back(name, std::move(json));
  }
  void remove(const std::string& name) {
    for (auto it = claims_.begin(); it != claims_.end(); ++it) {
      if (it->first == name) {
        claims_.erase(it);
        return;
      }
    }
  }
  /// The JSON text of `name`, or nullptr.
  const std::string* find(const std::string& name) const {
    for (const auto& [n, v] : claims_) {
      if (n == name) return &v;
    }
    return nullptr;
  }
  const std::vector<std::pair<std::string, std::string>>& all() const { return claims_; }
  /// The claims as one JSON object.
  std::string toJson() const;

 private:
  std::vector<std::pair<std::string, std::string>> claims_;
};

}  // namespace idgate
