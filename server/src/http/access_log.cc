#include "http/access_log.h"

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <atomic>
#include <cstdio>

#include "common/metrics.h"

namespace idgate {
namespace {

std::atomic<bool> fields{false};

}  // namespace

void setAccessLogFields(bool on) { fields.store(on, std::memory_order_relaxed); }

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
  if (!access.information()) return;
  if (!fields.load(std::memory_order_relaxed)) {
    access.information(line);
    return;
  }
  // The text line, and the same facts as fields for a structured (JSON) log.
  Poco::Message msg(access.name(), line, Poco::Message::PRIO_INFORMATION);
  if (!req.request_id.empty()) msg.set("request_id", req.request_id);
  msg.set("route", route);
  msg.set("method", method);
  msg.set("path", req.path);
  msg.set("status", std::to_string(status));
  char ms[32];
  std::snprintf(ms, sizeof(ms), "%.3f", static_cast<double>(us) / 1000.0);
  msg.set("duration_ms", ms);
  msg.set("outcome", status < 400 ? "ok" : status < 500 ? "refused" : "error");
  if (size_t at = note.find("client="); at != std::string::npos) {
    size_t end = note.find(' ', at);
    msg.set("client_id", note.substr(at + 7, end == std::string::npos ? end : end - at - 7));
  }
  if (!note.empty() && status >= 400) msg.set("reason", note);
  access.log(msg);
}

}  // namespace idgate
