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

std::string AppHandler::routeLabel(const HttpRequestData& request) const {
  static const char* const kExact[] = {"/oauth2/token",
                                       "/o/oauth2/token",
                                       "/oauth2/revoke",
                                       "/oauth2/introspect",
                                       "/oauth2/jwks",
                                       "/.well-known/openid-configuration",
                                       "/.well-known/oauth-authorization-server",
                                       "/health",
                                       "/metrics",
                                       "/api/me",
                                       "/auth/check",
                                       "/oauth2/authorize",
                                       "/oauth2/login",
                                       "/oauth2/consent",
                                       "/oauth2/logout",
                                       "/oauth2/logout/confirm",
                                       "/oauth2/par",
                                       "/oauth2/userinfo",
                                       "/api/admin/clients",
                                       "/api/admin/users",
                                       "/api/admin/plugins",
                                       "/api/admin/plugins/reload",
                                       "/api/admin/keystore",
                                       "/api/admin/user-check",
                                       "/console",
                                       "/console/session"};
  static const std::pair<const char*, const char*> kPrefixes[] = {
      {"/api/admin/clients/", "/api/admin/clients/{id}"},
      {"/api/admin/users/", "/api/admin/users/{username}"},
      {"/api/admin/keystore/", "/api/admin/keystore/{alias}"},
      {"/api/admin/plugins/", "/api/admin/plugins/{name}"},
      {"/oauth2/assets/", "/oauth2/assets/{file}"},
      {"/console/assets/", "/console/assets/{file}"}};
  const std::string& p = request.path;
  for (const char* e : kExact) {
    if (p == e) return p;
  }
  for (const auto& [prefix, label] : kPrefixes) {
    if (p.rfind(prefix, 0) == 0) return label;
  }
  if (gateway_ != nullptr) {
    if (const RouteConfig* r = gateway_->match(canonicalPath(p).value_or(p)))
      return "route:" + r->path;
  }
  return "other";
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
