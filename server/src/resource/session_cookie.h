// Liberty's authnSessionDisabled="false": after a good token the caller gets a session cookie
// and later requests may present it instead of a token, until the token's expiry. The cookie
// is the subject sealed with AES-256-GCM under the server's secret key, bound to the
// <openidConnectClient> that accepted the token: opaque, tamper-proof, HttpOnly, SameSite=Lax,
// Secure when the request came over HTTPS.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/resource_server_config.h"
#include "crypto/secret_box.h"
#include "http/http_exchange.h"
#include "resource/subject.h"

namespace idgate {

class SessionCookies {
 public:
  explicit SessionCookies(std::shared_ptr<const crypto::SecretBox> box) : box_(std::move(box)) {}

  /// idgate_session_<id>, the id reduced to cookie-name characters.
  static std::string cookieName(const OidcClientConfig& config);

  /// The Set-Cookie header value for `subject` (valid until subject.expires_at).
  /// `origin`: scheme://host[:port] the client used; the cookie is good there only (the
  /// audience rule was checked for that origin).
  std::string issue(const OidcClientConfig& config, const Subject& subject, bool secure,
                    int64_t now, const std::string& origin) const;

  /// The subject of a valid, unexpired cookie for `config` in the request, or nullopt.
  std::optional<Subject> read(const OidcClientConfig& config, const HttpRequestData& request,
                              int64_t now, const std::string& origin) const;

 private:
  std::shared_ptr<const crypto::SecretBox> box_;
};

}  // namespace idgate
