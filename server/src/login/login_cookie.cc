#include "login/login_cookie.h"

namespace idgate {
namespace {

constexpr const char* kContext = "idgate login session v1";

std::string attributes(bool secure) {
  // Only the sign-in endpoints (all under /oauth2/) get them: never an upstream behind a
  // <route>, never another application on the same host.
  return std::string("; Path=/oauth2/; HttpOnly; SameSite=Lax") + (secure ? "; Secure" : "");
}

}  // namespace

std::string LoginCookie::issue(const std::string& session_id, bool secure,
                               int64_t max_age_s) const {
  return std::string(kSession) + "=" + box_->seal(session_id, kContext) +
         "; Max-Age=" + std::to_string(max_age_s) + attributes(secure);
}

std::optional<std::string> LoginCookie::read(const HttpRequestData& request) const {
  auto value = request.cookie(kSession);
  if (!value || value->empty() || value->size() > 512) return std::nullopt;
  return box_->open(*value, kContext);
}

std::string LoginCookie::clear(const std::string& name, bool secure) {
  return name + "=; Max-Age=0" + attributes(secure);
}

std::string LoginCookie::browser(const std::string& value, bool secure) {
  return std::string(kBrowser) + "=" + value + "; Max-Age=31536000" + attributes(secure);
}

}  // namespace idgate
