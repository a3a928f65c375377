// Logging: one line per event on stderr, prefixed with the current request id when serving one;
// or, with <Log format="json">, one JSON object per line (time, level, logger, request_id,
// message, and for access lines route, method, path, status, duration_ms, outcome, client_id,
// reason).
#pragma once

namespace idgate {

void setupLogging(bool verbose, bool json = false);

}  // namespace idgate
