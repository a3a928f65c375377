#include "http/responses.h"

#include <Poco/String.h>

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

HttpResponseData methodNotAllowed(const std::string& allow) {
  HttpResponseData r = errorResponse({ErrorCode::kMethodNotAllowed, "use " + allow});
  r.headers.emplace_back("Allow", allow);
  return r;
}

bool isJsonContentType(const std::string& content_type) {
  std::string media = Poco::toLower(Poco::trim(content_type.substr(0, content_type.find(';'))));
  return media == "application/json";
}

}  // namespace idgate
