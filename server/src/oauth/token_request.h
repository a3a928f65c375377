// A token endpoint request after form decoding (no HTTP types: the logic is testable alone).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "http/http_exchange.h"

namespace idgate {

struct TokenRequest {
  std::vector<std::pair<std::string, std::string>> params;  ///< decoded, empty values dropped
  std::string authorization;                                ///< Authorization header or empty
  std::string endpoint_url;                                 ///< absolute URL it was sent to
  /// The DPoP header (RFC 9449): nullopt when absent, "" when there were several.
  std::optional<std::string> dpop_proof;
  /// The key a valid DPoP proof was signed with (RFC 7638 thumbprint), set by the token
  /// endpoint once the proof passed; "" without one.
  std::string dpop_jkt;

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

/// The form body of a POST to a client-authenticated endpoint (token, PAR, revocation,
/// introspection) sent to `endpoint_url`: a form content type, no repeated parameter but those
/// in `repeatable`; else the error.
std::variant<TokenRequest, ApiError> tokenRequestFrom(const HttpRequestData& request,
                                                      std::string endpoint_url,
                                                      const std::set<std::string>& repeatable = {});

}  // namespace idgate
