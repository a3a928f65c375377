// Reading request bodies and writing HttpResponseData through Poco's server objects, for the
// URL map's handler and the gateway alike.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstdint>
#include <string>

#include "http/http_exchange.h"

namespace idgate {

/// Appends the body to `body`; false as soon as it exceeds `max_bytes` (declared or read).
bool readBody(Poco::Net::HTTPServerRequest& request, int64_t max_bytes, std::string* body);

/// Status, X-Request-Id, headers and body.
void sendResponse(Poco::Net::HTTPServerResponse& response, const std::string& request_id,
                  const HttpResponseData& res);

}  // namespace idgate
