// idgate's HTTP/1.1 listeners in front of Routes and the Gateway: an acceptor per listener, a
// fixed pool of request threads that take connections with bytes to read, an IdlePoller for
// connections between requests, request ids, body limits, access log, and a drain on stop. Parsing
// and writing are idgate's own (request_head, server_exchange): on Poco's HTTPServer the same
// endpoints served about half the requests per second (docs/performance.md). Sockets and TLS
// are Poco's.
#pragma once

#include <Poco/Net/ServerSocket.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "http/idle_poller.h"
#include "http/read_deadlines.h"
#include "http/request_head.h"
#include "keystore/keystore.h"

namespace idgate {

class Routes;
class Gateway;
class Connection;
class ServerExchange;

/// A socket bound at startup, before the rest of the runtime exists (the issuer may depend on it).
struct BoundListener {
  ListenerConfig config;
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  std::string url;  ///< scheme://host:port actually bound
};

/// Binds every listener in `config` (port 0 = any free port). HTTPS keys come from `keystore`.
/// Throws ConfigError naming the listener when a socket cannot be bound or a key is missing.
std::vector<BoundListener> bindListeners(const ServerConfig& config, const Keystore& keystore);

class HttpServer {
 public:
  /// `gateway` may be null (no <route>s).
  HttpServer(Routes& routes, Gateway* gateway, std::vector<BoundListener> listeners, int threads,
             int64_t max_request_bytes);
  ~HttpServer();

  void start();
  /// Stops accepting, lets in-flight requests finish, closes idle connections, then returns.
  void stop();

 private:
  void acceptLoop(size_t listener);
  void workerLoop();
  bool stopping();
  /// Connections with bytes to read are waiting for a request thread.
  bool othersWaiting();
  /// A connection with bytes to read, for the next free request thread.
  void enqueue(std::unique_ptr<Connection> connection);
  /// Requests on `connection` until it closes or has to wait (then it goes to the poller).
  void serve(std::unique_ptr<Connection> connection);
  /// Reads until a head is parsed; kIncomplete with `park` = wait in the poller, without =
  /// the connection is done.
  HeadStatus readHead(Connection& connection, RequestHead* head, size_t* consumed,
                      std::string* error, bool* park);
  /// One request whose head has been read; the exchange says whether the connection goes on.
  void dispatch(Connection& connection, ServerExchange& exchange);
  /// A request for the URL map whose Content-Length body has not all arrived waits for it in
  /// the poller (kPark), so a slow body costs its connection, not a request thread; kClose
  /// when the client went away or the body is later than kBodyTimeout. Gateway routes stream
  /// their bodies instead (kReady).
  enum class BodyWait { kReady, kPark, kClose };
  BodyWait awaitBody(Connection& connection, const RequestHead& head, size_t consumed);

  Routes& routes_;
  Gateway* gateway_;
  std::vector<BoundListener> listeners_;
  int threads_;
  int64_t max_bytes_;

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Connection>> queue_;  ///< readable, waiting for a request thread
  bool stopping_ = false;
  size_t awaiting_bodies_ = 0;    ///< requests parked for their body (finished before stopping)
  size_t parked_body_bytes_ = 0;  ///< their declared lengths, within kMaxParkedBodyBytes
  /// What parked bodies may hold in memory together; past it a body is read on a thread.
  static constexpr size_t kMaxParkedBodyBytes = 64 * 1024 * 1024;
  IdlePoller poller_;
  ReadDeadlines deadlines_;
  std::vector<std::thread> acceptors_;
  std::vector<std::thread> workers_;
};

}  // namespace idgate
