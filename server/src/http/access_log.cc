#include "http/access_log.h"

#include <Poco/Logger.h>

#include <cstdio>

#include "common/metrics.h"

namespace idgate {

void accessLog(const HttpRequestData& req, int status, std::chrono::steady_clock::time_point start,
               const std::string& note, const std::string& route) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  // Methods a client made up would grow the label set without bound.
  static const char* const kMethods[] = {"GET",     "POST",  "PUT",   "DELETE", "HEAD",
                                         "OPTIONS", "PATCH", "TRACE", "CONNECT"};
  std::string method = "other";
  for (const char* m : kMethods) {
    if (req.method == m) method = m;
  }
  Metrics& metrics = Metrics::get();
  metrics.http_requests.add({route, method, std::to_string(status)});
  metrics.http_duration.observe({route}, static_cast<double>(us) / 1e6);
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.1fms", static_cast<double>(us) / 1000.0);
  std::string line;
  line.reserve(req.method.size() + req.path.size() + note.size() + 24);
  line.append(req.method).append(" ").append(req.path).append(" ").append(std::to_string(status));
  line.append(" ").append(elapsed);
  if (!note.empty()) line.append(" ").append(note);
  static Poco::Logger& access = Poco::Logger::get("idgate.access");  // lives until exit
  access.information(line);
}

}  // namespace idgate
