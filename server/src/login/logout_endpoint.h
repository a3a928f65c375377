// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): GET/POST /oauth2/logout with
// id_token_hint, client_id, post_logout_redirect_uri (registered, compared exactly) and state.
// With an ID token of the signed-in user the session ends at once; otherwise the user confirms
// on a page (a CSRF-protected form). Ending a session deletes it, its unused codes and its cookie.
#pragma once

#include "http/http_exchange.h"
#include "login/login_context.h"

namespace idgate {

class LogoutEndpoint {
 public:
  explicit LogoutEndpoint(LoginContext& context) : ctx_(context) {}
  /// GET or POST /oauth2/logout. Store failures throw StoreError.
  HttpResponseData logout(const HttpRequestData& request);
  /// POST /oauth2/logout/confirm: decision=logout|stay (and ix, csrf_token).
  HttpResponseData confirm(const HttpRequestData& request);

 private:
  /// Ends `session_hash`'s session (if any), then goes to `target` with `state`, or says so.
  HttpResponseData end(const HttpRequestData& request, const std::string& target,
                       const std::string& state, HeaderList cookies);

  LoginContext& ctx_;
};

}  // namespace idgate
