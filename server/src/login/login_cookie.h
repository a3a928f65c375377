// The browser's side of a sign-in session: `idgate_login` holds the session's random id sealed
// (AES-256-GCM under the server's secret key, bound to its purpose, so no other sealed value of
// the server passes for it); the database holds only the id's SHA-256. `idgate_browser` is a
// random value that binds a login or consent form to the browser that opened it (CSRF).
// Both HttpOnly, SameSite=Lax, Path=/oauth2/, Secure over HTTPS.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "crypto/secret_box.h"
#include "http/http_exchange.h"

namespace idgate {

class LoginCookie {
 public:
  static constexpr const char* kSession = "idgate_login";
  static constexpr const char* kBrowser = "idgate_browser";

  explicit LoginCookie(std::shared_ptr<const crypto::SecretBox> box) : box_(std::move(box)) {}

  /// Set-Cookie for a new session id, living `max_age_s`.
  std::string issue(const std::string& session_id, bool secure, int64_t max_age_s) const;
  /// The session id of a well-sealed idgate_login cookie, or nullopt.
  std::optional<std::string> read(const HttpRequestData& request) const;

  /// Set-Cookie that removes `name`.
  static std::string clear(const std::string& name, bool secure);
  /// Set-Cookie for a browser id.
  static std::string browser(const std::string& value, bool secure);

 private:
  std::shared_ptr<const crypto::SecretBox> box_;
};

}  // namespace idgate
