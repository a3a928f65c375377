#include "http/responses.h"

namespace idgate {

HttpResponseData json(int status, std::string body) {
  HttpResponseData r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponseData noStore(HttpResponseData r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

HttpResponseData errorResponse(const ApiError& error) {
  HttpError e = toHttp(error);
  HttpResponseData r = json(e.status, e.body);
  r.headers = e.headers;
  r.log_note = std::string("error=") + errorName(error.code) +
               (error.description.empty() ? "" : " (" + error.description + ")");
  return r;
}

}  // namespace idgate
