// Plain request/response values the route functions work on (no Poco types: testable alone).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace idgate {

struct HttpRequestData {
  std::string method;
  std::string path;  ///< without query
  std::string query;
  std::string content_type;
  std::string authorization;
  std::string body;
  std::string request_id;
};

struct HttpResponseData {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string log_note;  ///< appended to the access log line (never secrets)
};

}  // namespace idgate
