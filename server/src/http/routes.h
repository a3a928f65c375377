// The URL map: which function answers which method and path. Everything here works on
// HttpRequestData/HttpResponseData; errors become responses through toHttp() only.
#pragma once

#include "app/runtime.h"
#include "http/http_exchange.h"
#include "http/responses.h"

#include <optional>

namespace idgate {

class Routes {
 public:
  explicit Routes(Runtime& runtime) : rt_(runtime) {}

  HttpResponseData handle(const HttpRequestData& request);

 private:
  HttpResponseData token(const HttpRequestData& request);
  HttpResponseData jwks();
  HttpResponseData discovery();
  HttpResponseData health();
  HttpResponseData admin(const HttpRequestData& request);
  HttpResponseData adminPlugins();
  HttpResponseData adminKeystore(const HttpRequestData& request);
  HttpResponseData me(const HttpRequestData& request);
  /// nullopt: the bearer token may use the admin API; else the refusal.
  std::optional<HttpResponseData> adminBearer(const HttpRequestData& request);
  HttpResponseData authCheck(const HttpRequestData& request);

  Runtime& rt_;
};

}  // namespace idgate
