// POST /oauth2/par (RFC 9126): a client authenticates (the same authenticator chain as the token
// endpoint, so every method works here) and pushes its authorization request; the request is
// checked now, stored, and named by a request_uri good once, for 60 seconds.
#pragma once

#include <variant>

#include "http/http_exchange.h"
#include "login/login_context.h"

namespace idgate {

class ParEndpoint {
 public:
  explicit ParEndpoint(LoginContext& context) : ctx_(context) {}
  /// The 201 body {"request_uri", "expires_in"} or the error. Store failures throw StoreError.
  std::variant<std::string, ApiError> push(const HttpRequestData& request);

 private:
  LoginContext& ctx_;
};

}  // namespace idgate
