// application/x-www-form-urlencoded bodies (RFC 6749 Appendix B).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
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

using FormParams = std::vector<std::pair<std::string, std::string>>;
/// The value of parameter `name` (duplicates were refused by decodeForm), or nullopt.
std::optional<std::string> formParam(const FormParams& params, std::string_view name);

/// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~):
/// safe in a query component and in a form body.
std::string percentEncode(std::string_view in);

}  // namespace idgate
