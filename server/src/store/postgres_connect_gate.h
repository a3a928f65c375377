// Guards new PostgreSQL connections. Poco 1.11's PostgreSQL connector keeps the whole PGconn
// (about 12 KB) of an attempt that fails, so during a database outage every request that asked
// the pool for a new session grew the process without bound (found by the sanitizer run,
// docs/security.md). The gate makes idgate's own attempt first, with libpq, and closes it
// itself: Poco connects only after that attempt succeeded. A failure closes the gate for a
// second, in which every new connection is refused at once: an outage costs one attempt a
// second, not one per request.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace idgate {

class PostgresConnectGate {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  /// One connection attempt: nullopt when it connected (and is closed again), else the error.
  using Attempt = std::function<std::optional<std::string>(const std::string& conninfo)>;

  static constexpr std::chrono::seconds kRetryAfter{1};

  explicit PostgresConnectGate(std::string conninfo, Clock clock = std::chrono::steady_clock::now,
                               Attempt attempt = libpqAttempt);

  /// Whether a connection may be made now: nullopt, or why not. `new_connection`: the caller
  /// is about to connect (else only a closed gate refuses).
  std::optional<std::string> check(bool new_connection);

  /// A connection failed after the gate let it through: closed for kRetryAfter.
  void failed(const std::string& error);

  /// PQconnectdb, PQstatus, PQfinish.
  static std::optional<std::string> libpqAttempt(const std::string& conninfo);

 private:
  std::optional<std::string> closedReason(std::chrono::steady_clock::time_point now) const;
  /// Closes for kRetryAfter from `now` and logs why (the caller holds mutex_).
  void close(std::chrono::steady_clock::time_point now, const std::string& error);

  const std::string conninfo_;
  const Clock clock_;
  const Attempt attempt_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point closed_until_{};
  std::string last_error_;
};

}  // namespace idgate
