#include "http/poco_io.h"

namespace idgate {

bool readBody(Poco::Net::HTTPServerRequest& request, int64_t max_bytes, std::string* body) {
  if (request.hasContentLength() && request.getContentLength64() > max_bytes) return false;
  std::istream& in = request.stream();
  char buf[8192];
  while (in) {
    in.read(buf, sizeof(buf));
    body->append(buf, static_cast<size_t>(in.gcount()));
    if (static_cast<int64_t>(body->size()) > max_bytes) return false;
  }
  return true;
}

void sendResponse(Poco::Net::HTTPServerResponse& response, const std::string& request_id,
                  const HttpResponseData& res) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
  response.set("X-Request-Id", request_id);
  for (const auto& [k, v] : res.headers) response.set(k, v);
  if (res.status == 204 || res.body.empty()) {
    response.setContentLength(0);
    response.send();
  } else {
    response.setContentType(res.content_type);
    response.setContentLength(static_cast<std::streamsize>(res.body.size()));
    response.send() << res.body;
  }
}

}  // namespace idgate
