// Plain request/response values the route functions work on (no Poco types: testable alone).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idgate {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// Header names compare without regard to case (RFC 9110 §5.1).
bool sameHeaderName(std::string_view a, std::string_view b);

/// The first header of that name in `headers`, or nullptr.
const std::string* findHeader(const HeaderList& headers, std::string_view name);

struct HttpRequestData {
  std::string method;
  std::string scheme = "http";  ///< of the listener that took the request
  std::string host;             ///< Host header (host[:port])
  std::string remote_address;   ///< peer IP
  HeaderList headers;           ///< every header, as received
  std::string path;             ///< without query
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
  HeaderList headers;
  std::string log_note;  ///< appended to the access log line (never secrets)

  /// The response to send once it may leave: the held one, or one that replaces it.
  using Release = std::function<void(HttpResponseData)>;
  /// Set when this response may leave only after something completes elsewhere (the durable
  /// commit of an assertion's jti): the HTTP layer calls it with a Release, which may run on
  /// any thread, and sends nothing meanwhile (holding no thread).
  std::function<void(Release)> hold;
};

}  // namespace idgate
