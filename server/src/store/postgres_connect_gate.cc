#include "store/postgres_connect_gate.h"

#include <Poco/Logger.h>
#include <libpq-fe.h>

namespace idgate {

PostgresConnectGate::PostgresConnectGate(std::string conninfo, Clock clock, Attempt attempt)
    : conninfo_(std::move(conninfo)), clock_(std::move(clock)), attempt_(std::move(attempt)) {}

std::optional<std::string> PostgresConnectGate::closedReason(
    std::chrono::steady_clock::time_point now) const {
  if (now >= closed_until_) return std::nullopt;
  return "database unavailable: " + last_error_ + " (next connection attempt within 1 s)";
}

std::optional<std::string> PostgresConnectGate::check(bool new_connection) {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (auto closed = closedReason(now)) return closed;
  if (!new_connection) return std::nullopt;
  // Held while connecting: one attempt at a time, and the others then see its verdict.
  if (auto error = attempt_(conninfo_)) {
    close(now, *error);
    return "database unavailable: " + last_error_;
  }
  return std::nullopt;
}

void PostgresConnectGate::failed(const std::string& error) {
  std::lock_guard lock(mutex_);
  close(clock_(), error);
}

void PostgresConnectGate::close(std::chrono::steady_clock::time_point now,
                                const std::string& error) {
  // libpq's messages span lines (one per address tried): one log line.
  last_error_ = error;
  while (!last_error_.empty() && (last_error_.back() == '\n' || last_error_.back() == ' ')) {
    last_error_.pop_back();
  }
  for (char& c : last_error_) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  closed_until_ = now + kRetryAfter;
  // At most one line a second during an outage: each is a connection attempt.
  Poco::Logger::get("idgate.store")
      .warning("database unavailable: " + last_error_ + "; new connections refused for 1 s");
}

std::optional<std::string> PostgresConnectGate::libpqAttempt(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return std::string("out of memory");
  std::optional<std::string> error;
  if (PQstatus(conn) != CONNECTION_OK) {
    const char* text = PQerrorMessage(conn);
    error = text != nullptr && *text != '\0' ? text : "connection failed";
  }
  PQfinish(conn);
  return error;
}

}  // namespace idgate
