// Plain request/response values the route functions work on (no Poco types: testable alone).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idgate {

struct HttpRequestData {
  std::string method;
  std::string scheme = "http";  ///< of the listener that took the request
  std::string host;             ///< Host header (host[:port])
  std::string remote_address;   ///< peer IP
  std::vector<std::pair<std::string, std::string>> headers;  ///< every header, as received
  std::string path;                                          ///< without query
  std::string query;
  std::string content_type;
  std::string authorization;
  std::string body;
  std::string request_id;

  /// First header of that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;

  /// The value of cookie `name` from the Cookie headers (RFC 6265 §5.4 "name=value; ..."), or
  /// nullopt when there is none.
  std::optional<std::string> cookie(std::string_view name) const;
};

struct HttpResponseData {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string log_note;  ///< appended to the access log line (never secrets)
};

}  // namespace idgate
