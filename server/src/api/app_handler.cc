#include "api/app_handler.h"

#include <Poco/Logger.h>

#include "http/request_path.h"
#include "http/responses.h"

namespace idgate {

Placement AppHandler::placement(const HttpRequestData& request,
                                const std::string& canonical_path) const {
  if (gateway_ != nullptr && gateway_->match(canonical_path) != nullptr) return Placement::kStream;
  return routes_.answersWithoutBlocking(request) ? Placement::kLoop : Placement::kWorker;
}

HttpResponseData AppHandler::handle(const HttpRequestData& request, Placement where) {
  try {
    return routes_.handle(request, where != Placement::kLoop);
  } catch (const std::exception& e) {
    // Routes do not throw by design; this is the last line of defence.
    Poco::Logger::get("idgate.http").error(std::string("unhandled: ") + e.what());
    return errorResponse({ErrorCode::kServerError, "internal error"});
  }
}

int AppHandler::stream(ServerExchange& exchange, HttpRequestData& request,
                       boost::asio::io_context& io, std::string* note) {
  // The session chose kStream for this path, so a route matches it.
  const RouteConfig* route = gateway_->match(canonicalPath(request.path).value_or(request.path));
  std::string detail;
  int status = 500;
  try {
    status = gateway_->handle(*route, exchange, request, io, &detail);
  } catch (const std::exception& e) {
    Poco::Logger::get("idgate.http").error(std::string("gateway: ") + e.what());
    detail = "internal error";
    exchange.setKeepAlive(false);  // the framing of this connection is unknown now
    if (!exchange.started()) {
      status = 502;
      exchange.send(errorResponse({ErrorCode::kBadGateway, "gateway error"}), request.request_id);
    }
  }
  *note = "route=" + route->path + " " + detail;
  return status;
}

void AppHandler::shutdown() {
  if (gateway_ != nullptr) gateway_->shutdown();
}

HttpResponseData AppHandler::refusal(Refusal refusal, const std::string& description) const {
  switch (refusal) {
    case Refusal::kHeadTooLarge:
      return errorResponse({ErrorCode::kHeaderTooLarge, description});
    case Refusal::kBodyTooLarge:
      return errorResponse({ErrorCode::kPayloadTooLarge, description});
    case Refusal::kOverloaded: {
      HttpResponseData r = errorResponse({ErrorCode::kServiceUnavailable, description});
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    case Refusal::kMalformed:
      break;
  }
  return errorResponse({ErrorCode::kInvalidRequest, description});
}

}  // namespace idgate
