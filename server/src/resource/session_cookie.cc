#include "resource/session_cookie.h"

#include <Poco/String.h>
#include <idgate/jose/json.h>
#include <idgate/jose/numeric_date.h>

#include "common/json_writer.h"

namespace idgate {
namespace {

constexpr size_t kMaxClaimsInCookie = 1500;  // browsers keep cookies up to about 4 KB

std::string context(const OidcClientConfig& c, const std::string& origin) {
  return "rs-session:" + c.id + "\n" + origin;
}

std::vector<std::string> strings(const jose::Json* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->isArray()) {
    for (const auto& i : v->items()) {
      if (i.isString()) out.push_back(i.str());
    }
  }
  return out;
}

}  // namespace

std::string SessionCookies::cookieName(const OidcClientConfig& c) {
  std::string name = "idgate_session_";
  for (char ch : c.id) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_';
    name += ok ? ch : '_';
  }
  return name;
}

std::string SessionCookies::issue(const OidcClientConfig& c, const Subject& s, bool secure,
                                  int64_t now, const std::string& origin) const {
  JsonWriter w;
  w.field("principal", s.principal);
  w.field("unique", s.unique_name);
  w.field("realm", s.realm);
  w.field("groups", s.groups);
  w.field("client_id", s.client_id);
  w.field("iss", s.issuer);
  w.field("scopes", s.scopes);
  w.field("exp", s.expires_at);
  if (!s.jti.empty()) w.field("jti", s.jti);
  // The subject (one line: the writer escapes every newline), then the claims as they came.
  std::string plain =
      w.finish() + "\n" + (s.claims_json.size() <= kMaxClaimsInCookie ? s.claims_json : "{}");
  std::string sealed = box_->seal(plain, context(c, origin));
  int64_t max_age = std::max<int64_t>(0, s.expires_at - now);
  return cookieName(c) + "=" + sealed + "; Path=/; Max-Age=" + std::to_string(max_age) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::optional<Subject> SessionCookies::read(const OidcClientConfig& c, const HttpRequestData& r,
                                            int64_t now, const std::string& origin) const {
  auto value = r.cookie(cookieName(c));
  if (!value || value->size() > 8192) return std::nullopt;
  auto plain = box_->open(*value, context(c, origin));
  if (!plain) return std::nullopt;
  size_t newline = plain->find('\n');
  if (newline == std::string::npos) return std::nullopt;
  auto j =
      jose::parseJson(std::string_view(*plain).substr(0, newline), jose::JsonLimits{16, 16 * 1024});
  if (!j) return std::nullopt;
  int64_t exp = 0;
  if (jose::numericDate(*j, "exp", &exp) != jose::NumericResult::kValid || now > exp) {
    return std::nullopt;
  }
  Subject s;
  s.config_id = c.id;
  s.principal = j->getString("principal").value_or("");
  if (s.principal.empty()) return std::nullopt;
  s.unique_name = j->getString("unique").value_or(s.principal);
  s.realm = j->getString("realm").value_or("");
  s.groups = strings(j->get("groups"));
  s.client_id = j->getString("client_id").value_or("");
  s.issuer = j->getString("iss").value_or("");
  s.scopes = strings(j->get("scopes"));
  s.expires_at = exp;
  s.jti = j->getString("jti").value_or("");
  s.claims_json = plain->substr(newline + 1);
  return s;
}

}  // namespace idgate
