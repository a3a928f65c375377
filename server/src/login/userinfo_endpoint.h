// GET/POST /oauth2/userinfo (OIDC Core §5.3): an access token of this server (Authorization:
// Bearer, RFC 6750 §2.1), with scope openid, issued in a sign-in session that still lives, and
// not revoked; answers sub and the claims its scopes release. Errors are RFC 6750 challenges.
#pragma once

#include <variant>

#include "http/http_exchange.h"
#include "login/login_context.h"

namespace idgate {

class UserinfoEndpoint {
 public:
  explicit UserinfoEndpoint(LoginContext& context) : ctx_(context) {}
  /// The JSON body or the error. Store failures throw StoreError.
  std::variant<std::string, ApiError> handle(const HttpRequestData& request);

 private:
  LoginContext& ctx_;
};

}  // namespace idgate
