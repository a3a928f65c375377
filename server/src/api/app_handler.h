// The server's RequestHandler: a path under a <route> streams through the Gateway, everything
// else goes to the URL map (Routes), on the event loop when the answer cannot block and on the
// worker pool otherwise. Refusals of the HTTP layer become errors through the one mapping.
#pragma once

#include "api/routes.h"
#include "gateway/gateway.h"
#include "http/request_handler.h"

namespace idgate {

class AppHandler : public RequestHandler {
 public:
  /// `gateway` may be null (no <route>s).
  AppHandler(Routes& routes, Gateway* gateway) : routes_(routes), gateway_(gateway) {}

  Placement placement(const HttpRequestData& request,
                      const std::string& canonical_path) const override;
  HttpResponseData handle(const HttpRequestData& request, Placement where) override;
  int stream(ServerExchange& exchange, HttpRequestData& request, boost::asio::io_context& io,
             std::string* note) override;
  HttpResponseData refusal(Refusal refusal, const std::string& description) const override;
  /// A known path as it is, an id in it as {id}, a gateway route as route:<path>, else other.
  std::string routeLabel(const HttpRequestData& request) const override;
  void shutdown() override;

 private:
  Routes& routes_;
  Gateway* gateway_;
};

}  // namespace idgate
