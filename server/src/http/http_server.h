// Poco HTTP(S) listeners in front of Routes: request ids, body limits, access log, drain on stop.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "keystore/keystore.h"

namespace idgate {

class Routes;
class Gateway;

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
  /// Stops accepting, lets in-flight requests finish, then returns.
  void stop();

 private:
  std::vector<BoundListener> listeners_;
  Poco::ThreadPool pool_;
  std::vector<std::unique_ptr<Poco::Net::HTTPServer>> servers_;
};

}  // namespace idgate
