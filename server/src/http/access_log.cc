#include "http/access_log.h"

#include <Poco/Logger.h>

#include <cstdio>

namespace idgate {

void accessLog(const HttpRequestData& req, int status, std::chrono::steady_clock::time_point start,
               const std::string& note) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
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
