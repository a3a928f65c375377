// Plain request/response values the route functions work on (no Poco types: testable alone).
#pragma once

#include <algorithm>
#include <cctype>
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
  const std::string* header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return &v;
      }
    }
    return nullptr;
  }

  /// The value of cookie `name` from the Cookie headers (RFC 6265 §5.4 "name=value; ..."), or
  /// nullopt when there is none.
  std::optional<std::string> cookie(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() != 6 || !std::equal(k.begin(), k.end(), "cookie", [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
          })) {
        continue;
      }
      size_t pos = 0;
      while (pos <= v.size()) {
        size_t end = v.find(';', pos);
        if (end == std::string::npos) end = v.size();
        size_t b = v.find_first_not_of(' ', pos);
        if (b != std::string::npos && b < end) {
          size_t eq = v.find('=', b);
          if (eq != std::string::npos && eq < end &&
              std::string_view(v).substr(b, eq - b) == name) {
            size_t e = v.find_last_not_of(' ', end - 1);
            return v.substr(eq + 1, e >= eq + 1 ? e - eq : 0);
          }
        }
        pos = end + 1;
      }
    }
    return std::nullopt;
  }
};

struct HttpResponseData {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string log_note;  ///< appended to the access log line (never secrets)
};

}  // namespace idgate
