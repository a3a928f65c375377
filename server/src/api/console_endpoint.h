// The admin console at /console: its page and assets (server/console/, compiled in, served
// under a strict CSP) and its session (/console/session: sign in, who am I, sign out). The
// console's pages call the admin API itself with the session cookie and the session's CSRF
// token (X-CSRF-Token); checkSession is how the admin API accepts them.
#pragma once

#include <optional>

#include "app/runtime.h"
#include "http/http_exchange.h"

namespace idgate {

class ConsoleEndpoint {
 public:
  explicit ConsoleEndpoint(Runtime& runtime) : rt_(runtime) {}

  /// Paths under /console; nullopt for any other path.
  std::optional<HttpResponseData> handle(const HttpRequestData& request);
  /// A GET of the page or an asset: nothing to wait for (the event loop may answer it).
  static bool isStatic(const HttpRequestData& request);

  /// For the admin API and /metrics when the request has no Authorization header: nullopt when
  /// it carries neither a console cookie nor an X-CSRF-Token (the Basic challenge applies); else
  /// the refusal, or an empty response with status 0 when the session and its token are good.
  std::optional<HttpResponseData> checkSession(const HttpRequestData& request);

 private:
  HttpResponseData asset(const std::string& name, bool page);
  HttpResponseData session(const HttpRequestData& request);
  HttpResponseData signIn(const HttpRequestData& request);
  /// {"username", "csrf_token", "idle_timeout_seconds"}
  HttpResponseData sessionBody(const std::string& username, const std::string& csrf);
  /// A user of the user authenticators whose roles claim names the console role.
  bool hasConsoleRole(const std::string& claims_json) const;

  Runtime& rt_;
};

}  // namespace idgate
