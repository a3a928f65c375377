// Building responses: JSON bodies, no-store, and errors through the one mapping (toHttp).
#pragma once

#include <string>

#include "common/oauth_error.h"
#include "http/http_exchange.h"

namespace idgate {

HttpResponseData json(int status, std::string body);

/// Adds Cache-Control: no-store and Pragma: no-cache (tokens, identities, errors about them).
HttpResponseData noStore(HttpResponseData response);

/// The response for an error, with a log note naming it.
HttpResponseData errorResponse(const ApiError& error);

/// 405 with Allow: `allow`.
HttpResponseData methodNotAllowed(const std::string& allow);

/// The media type (parameters aside) is application/json.
bool isJsonContentType(const std::string& content_type);

}  // namespace idgate
