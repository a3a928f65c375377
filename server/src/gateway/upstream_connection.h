// A connection from the gateway to a route's upstream, on the event loop of the client
// connection it first served, driven from a stream worker with blocking calls (http/blocking_io)
// and a deadline per call. Kept alive and reused through the route's pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_set>

#include "http/connection.h"

namespace idgate {

class UpstreamConnection;

/// Every upstream connection open, so that a stopping server can end the reads and writes
/// stream workers wait on (each up to a route's timeout) at once.
class UpstreamRegistry {
 public:
  /// Shuts down every connection's socket (the waiting operation fails at once).
  void shutdownAll();

 private:
  friend class UpstreamConnection;
  std::mutex mutex_;
  std::unordered_set<UpstreamConnection*> open_;
};

class UpstreamConnection : public Connection {
 public:
  UpstreamConnection(boost::asio::io_context& io, UpstreamRegistry& registry);
  ~UpstreamConnection() override;

  /// Resolves `host` and connects within `timeout`. Empty on success, else the reason.
  std::string connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);
  /// The limit on each later read or write.
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  bool fill() override;
  bool write(std::string_view data) override;

  /// The last fill() or write() failed because its deadline passed.
  bool timedOut() const { return timed_out_; }
  /// The last fill() failed because the upstream closed the connection (not an error).
  bool endOfStream() const { return end_of_stream_; }
  /// For a pooled connection before reuse: open, nothing unexpected to read, not closed by
  /// the upstream meanwhile.
  bool reusable();
  void close();

 private:
  friend class UpstreamRegistry;
  UpstreamRegistry& registry_;
  boost::asio::ip::tcp::socket socket_;
  std::chrono::milliseconds timeout_{30000};
  bool timed_out_ = false;
  bool end_of_stream_ = false;
};

}  // namespace idgate
