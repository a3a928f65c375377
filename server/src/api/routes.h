// The URL map: which function answers which method and path. Everything here works on
// HttpRequestData/HttpResponseData; errors become responses through toHttp() only.
#pragma once

#include "api/console_endpoint.h"
#include "app/runtime.h"
#include "http/http_exchange.h"
#include "http/responses.h"

#include <atomic>
#include <functional>
#include <optional>

namespace idgate {

class Routes {
 public:
  explicit Routes(Runtime& runtime) : rt_(runtime), console_(runtime) {}

  /// `may_block` false: on an event loop (answersWithoutBlocking said so); the answer must
  /// not wait for anything, even if the health cache expired since.
  HttpResponseData handle(const HttpRequestData& request, bool may_block = true);

  /// The answer needs nothing that can block (no database, plugin or network call): the
  /// event loop may give it itself. /health qualifies while its last database check is
  /// younger than kHealthCacheMs.
  bool answersWithoutBlocking(const HttpRequestData& request) const;

 private:
  HttpResponseData token(const HttpRequestData& request);
  /// A request that authenticates a client through the plugins (token, PAR, revocation,
  /// introspection): one pinned plugin set, the answer held until the assertion jtis it
  /// inserted are durable, a store failure a 500 saying `store_failure`, no-store.
  HttpResponseData clientCall(const std::function<HttpResponseData()>& call,
                              const char* store_failure);
  /// POST /oauth2/revoke and /oauth2/introspect.
  HttpResponseData lifecycle(const HttpRequestData& request);
  HttpResponseData jwks();
  HttpResponseData discovery();
  HttpResponseData health(bool may_block);
  HttpResponseData admin(const HttpRequestData& request);
  /// nullopt when the request carries the admin's credentials (Basic, or a bearer token with
  /// idgate:admin); else the refusal.
  std::optional<HttpResponseData> adminRefusal(const HttpRequestData& request);
  /// GET /metrics: the Prometheus text format.
  HttpResponseData metrics(const HttpRequestData& request);
  HttpResponseData adminPlugins();
  /// PATCH /api/admin/plugins/{name}: enabled and/or order_id, written to identity.xml and
  /// applied by a reload (the file is put back when the reload is refused).
  HttpResponseData adminPluginChange(const HttpRequestData& req, const std::string& name);
  HttpResponseData adminReload();
  HttpResponseData adminUserCheck(const HttpRequestData& req);
  HttpResponseData adminKeystore(const HttpRequestData& request);
  HttpResponseData me(const HttpRequestData& request);
  /// nullopt: the bearer token may use the admin API; else the refusal.
  std::optional<HttpResponseData> adminBearer(const HttpRequestData& request);
  HttpResponseData authCheck(const HttpRequestData& request);
  /// The interactive login's endpoints under /oauth2/ (authorize, login, consent, par,
  /// userinfo, logout, assets); nullopt for any other path.
  std::optional<HttpResponseData> login(const HttpRequestData& request);

  Runtime& rt_;
  ConsoleEndpoint console_;
  /// /health checks the database at most once per kHealthCacheMs while it is up (a load
  /// balancer polling it costs no round trip per poll); a failed check is not cached.
  static constexpr int64_t kHealthCacheMs = 1000;
  std::atomic<int64_t> health_ok_until_ms_{0};  ///< steady clock
};

}  // namespace idgate
