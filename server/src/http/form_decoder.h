// application/x-www-form-urlencoded bodies (RFC 6749 Appendix B).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace idgate {

struct FormDecodeResult {
  std::vector<std::pair<std::string, std::string>> params;
  std::string error;  ///< non-empty: the request is malformed (400 invalid_request)
};

/// Decodes; parameters without a value are dropped (RFC 6749 §3.1); a name repeated is an
/// error unless listed in `repeatable` (e.g. RFC 8707 `resource`).
FormDecodeResult decodeForm(const std::string& body, const std::set<std::string>& repeatable);

/// %XX decoding; `plus_is_space` for form encoding (a path keeps '+'). nullopt on a broken %.
std::optional<std::string> percentDecode(const std::string& in, bool plus_is_space = true);

/// application/x-www-form-urlencoded, parameters and case ignored.
bool isFormContentType(const std::string& content_type);

}  // namespace idgate
