// The access log line of a request: method, path, status, time taken and a note (never
// secrets). Written before the answer leaves, so a client that has the answer finds the line.
#pragma once

#include <chrono>
#include <string>

#include "http/http_exchange.h"

namespace idgate {

/// Whether access lines carry their facts as message fields (route, status, ...) for a
/// structured log (setupLogging's JSON format); off, only the text line is made.
void setAccessLogFields(bool on);

/// Also counts the request in the metrics under `route` (a bounded label the handler chose).
void accessLog(const HttpRequestData& request, int status,
               std::chrono::steady_clock::time_point start, const std::string& note,
               const std::string& route = "other");

}  // namespace idgate
