// What the HTTP layer calls for a request. The layers above (the URL map, the gateway) answer
// through this interface; server/src/http includes nothing above it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <string>

#include "http/http_exchange.h"
#include "http/server_exchange.h"

namespace idgate {

/// Where a request is answered.
enum class Placement {
  kLoop,    ///< on the event loop: cheap and never blocks (health, JWKS, discovery)
  kWorker,  ///< on the worker pool: may block (plugins, the database, jwks_uri fetches)
  kStream,  ///< on the stream pool with a blocking exchange: the body streams (gateway routes)
};

/// Requests the HTTP layer refuses before any handler sees them.
enum class Refusal {
  kMalformed,     ///< 400: a head or body that cannot be read
  kHeadTooLarge,  ///< 431
  kBodyTooLarge,  ///< 413
  kOverloaded,    ///< 503: the worker queue is full
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  /// Where the request runs; `canonical_path` is its path after request_path's checks.
  virtual Placement placement(const HttpRequestData& request,
                              const std::string& canonical_path) const = 0;

  /// kLoop and kWorker (`where`: what placement() chose): the request with its whole body,
  /// answered. On the loop the answer must not block. Never throws by design.
  virtual HttpResponseData handle(const HttpRequestData& request, Placement where) = 0;

  /// kStream: reads the body from and writes the response to `exchange` (blocking, on a
  /// stream worker). `io` is the loop of the client's connection, for the handler's own
  /// sockets. Returns the status for the access log; `note` gets a short reason.
  virtual int stream(ServerExchange& exchange, HttpRequestData& request,
                     boost::asio::io_context& io, std::string* note) = 0;

  /// The request's route for the metrics: one of a bounded set of names (a URL template,
  /// never the path itself). Cheap; called on the loop or the worker that answered.
  virtual std::string routeLabel(const HttpRequestData&) const { return "other"; }

  /// The response for a request the HTTP layer refuses (the one error mapping lives above).
  virtual HttpResponseData refusal(Refusal refusal, const std::string& description) const = 0;

  /// The server stops and the drain's time is up: end what waits on others (upstream
  /// connections), so the workers can finish. Called once, from the stopping thread.
  virtual void shutdown() {}
};

}  // namespace idgate
