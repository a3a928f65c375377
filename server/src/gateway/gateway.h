// Gateway routes (<route path upstream openidConnectClientRef>): a request under the path is
// authenticated by the route's <openidConnectClient>, then forwarded to the upstream with the
// caller's identity in X-Auth-* headers (any the caller sent are removed). Bodies stream both
// ways; upstream connections are kept alive and reused; interim (1xx) responses are skipped;
// upstream down = 502, slower than the route's timeout = 504. Runs on a stream worker: the
// client's connection and the upstream's are event-loop sockets driven with blocking calls.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/resource_server_config.h"
#include "gateway/upstream_connection.h"
#include "http/http_exchange.h"
#include "http/server_exchange.h"
#include "resource/resource_guard.h"

namespace idgate {

class Gateway {
 public:
  Gateway(const std::vector<RouteConfig>& routes, ResourceGuard& guard, int64_t max_form_bytes);
  ~Gateway();

  /// The route whose path is `path` or a prefix of it at a '/' boundary, or nullptr.
  const RouteConfig* match(const std::string& path) const;

  /// Answers the request; `req` holds the request line and headers (no body read yet); the
  /// body is read from, and the response written to, `exchange`. New upstream connections go
  /// on `io` (the loop of the client's connection).
  /// Returns the response status for the access log; `note` gets a short reason.
  int handle(const RouteConfig& route, ServerExchange& exchange, HttpRequestData& req,
             boost::asio::io_context& io, std::string* note);

  /// The server stops: every upstream read or write that waits fails at once.
  void shutdown() { registry_.shutdownAll(); }

 private:
  struct Upstream;
  Upstream& upstream(const RouteConfig& route);

  UpstreamRegistry registry_;  ///< before the pools: their connections unregister at the end
  ResourceGuard& guard_;
  int64_t max_form_bytes_;
  std::vector<std::unique_ptr<Upstream>> upstreams_;  // parallel to routes_
  const std::vector<RouteConfig>& routes_;
};

}  // namespace idgate
