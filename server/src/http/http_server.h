// idgate's HTTP/1.1 server on Boost.Asio: the listeners (bound at startup, before the rest of
// the runtime exists), N event loops each owning the connections handed to it, and the two
// bounded worker pools (requests that may block; gateway streams). Parsing and writing are
// idgate's own (request_head, server_exchange); requests go to a RequestHandler.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "http/http_session.h"
#include "http/io_loops.h"
#include "http/request_handler.h"
#include "http/worker_pool.h"
#include "keystore/keystore.h"

namespace idgate {

/// A socket bound at startup, before the rest of the runtime exists (the issuer may depend on it).
struct BoundListener {
  ListenerConfig config;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;  ///< on one of the loops
  std::shared_ptr<boost::asio::ssl::context> tls;            ///< HTTPS only
  std::string url;                                           ///< scheme://host:port actually bound
};

/// Binds every listener in `config` (port 0 = any free port) on `loops`. HTTPS keys come from
/// `keystore`. Throws ConfigError naming the listener when a socket cannot be bound (a port
/// another process holds included: SO_REUSEPORT is never set) or a key is missing.
std::vector<BoundListener> bindListeners(const ServerConfig& config, const Keystore& keystore,
                                         IoLoops& loops);

struct HttpServerOptions {
  int workers = 16;         ///< <Http threads>: requests that may block
  int stream_workers = 16;  ///< gateway exchanges (only used when there are routes)
  int64_t max_request_bytes = 65536;
  /// Requests waiting for a worker beyond this are answered 503 at once.
  size_t max_queued = 4096;
};

class HttpServer {
 public:
  HttpServer(RequestHandler& handler, IoLoops& loops, std::vector<BoundListener> listeners,
             const HttpServerOptions& options);
  ~HttpServer();

  /// Starts accepting (the loops must be running).
  void start();
  /// Stops accepting, closes connections between requests, lets requests in progress finish
  /// (bounded), then stops the worker pools. The loops are stopped by their owner afterwards.
  void stop();

  /// Connections open right now.
  size_t liveConnections() const { return host_.live.load(); }

 private:
  void accept(size_t listener);
  /// Runs `fn` on every loop and waits for it.
  void onEveryLoop(const std::function<void(size_t)>& fn);

  IoLoops& loops_;
  std::vector<BoundListener> listeners_;
  WorkerPool workers_;
  WorkerPool streams_;
  SessionHost host_;
  std::vector<std::unique_ptr<LoopSessions>> sessions_;  ///< one per loop
  bool stopped_ = false;
};

}  // namespace idgate
