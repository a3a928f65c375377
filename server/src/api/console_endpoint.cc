#include "api/console_endpoint.h"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <idgate/jose/json.h>

#include "api/console_files.h"
#include "common/json_writer.h"
#include "http/responses.h"

namespace idgate {
namespace {

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const char* contentType(const std::string& name) {
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

/// Secure when the request came over TLS or the issuer is https (TLS ends at a proxy in front).
std::string cookie(const HttpRequestData& req, const std::string& issuer, const std::string& value,
                   bool clear) {
  const bool secure = req.scheme == "https" || issuer.rfind("https://", 0) == 0;
  std::string c = std::string(ConsoleSessions::kCookie) + "=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  if (clear) c += "; Max-Age=0";
  return c;
}

}  // namespace

bool ConsoleEndpoint::isStatic(const HttpRequestData& req) {
  return req.method == "GET" && (req.path == "/console" || req.path == "/console/" ||
                                 req.path.rfind("/console/assets/", 0) == 0);
}

std::optional<HttpResponseData> ConsoleEndpoint::handle(const HttpRequestData& req) {
  const std::string& p = req.path;
  if (p == "/console" || p == "/console/") {
    return req.method == "GET" ? asset("index.html", true) : methodNotAllowed("GET");
  }
  if (p.rfind("/console/assets/", 0) == 0) {
    if (req.method != "GET") return methodNotAllowed("GET");
    std::string name = p.substr(std::string("/console/assets/").size());
    if (name == "index.html") return errorResponse({ErrorCode::kNotFound, "no asset at " + p});
    return asset(name, false);
  }
  if (p == "/console/session") return session(req);
  if (p.rfind("/console", 0) == 0) {
    return errorResponse({ErrorCode::kNotFound, "no console page at " + p + "; open /console"});
  }
  return std::nullopt;
}

HttpResponseData ConsoleEndpoint::asset(const std::string& name, bool page) {
  for (const auto& [file, content] : consoleFiles()) {
    if (file != name) continue;
    HttpResponseData r;
    r.content_type = contentType(name);
    r.body = std::string(content);
    r.headers.emplace_back("Content-Security-Policy", kCsp);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    // The page is small and must follow an upgrade at once; assets are revalidated too.
    r.headers.emplace_back("Cache-Control", page ? "no-store" : "no-cache");
    return r;
  }
  return errorResponse({ErrorCode::kNotFound, "no asset " + name});
}

HttpResponseData ConsoleEndpoint::sessionBody(const std::string& username,
                                              const std::string& csrf) {
  return noStore(
      json(200, JsonWriter()
                    .field("username", username)
                    .field("csrf_token", csrf)
                    .field("idle_timeout_seconds", rt_.consoleSessions().idleTimeoutSeconds())
                    .finish()));
}

HttpResponseData ConsoleEndpoint::session(const HttpRequestData& req) {
  if (req.method == "POST") return signIn(req);
  auto id = req.cookie(ConsoleSessions::kCookie);
  // Looked up, not kept alive: the page asks this on every load, with the cookie alone.
  auto s = id ? rt_.consoleSessions().find(*id) : std::nullopt;
  if (req.method == "GET") {
    if (!s) return noStore(errorResponse({ErrorCode::kConsoleUnauthorized, "not signed in"}));
    return sessionBody(s->username, s->csrf_token);
  }
  if (req.method == "DELETE") {
    if (s && !ConsoleSessions::csrfMatches(*s, req.header("X-CSRF-Token"))) {
      return errorResponse(
          {ErrorCode::kConsoleForbidden, "signing out takes the session's X-CSRF-Token"});
    }
    if (id) rt_.consoleSessions().end(*id);
    HttpResponseData r = json(204, "");
    r.content_type.clear();
    r.headers.emplace_back("Set-Cookie", cookie(req, rt_.issuer(), "", true));
    if (s) r.log_note = "console sign-out of " + s->username;
    return noStore(r);
  }
  return methodNotAllowed("GET, POST, DELETE");
}

bool ConsoleEndpoint::hasConsoleRole(const std::string& claims_json) const {
  auto claims = jose::parseJson(claims_json);
  const jose::Json* roles = claims ? claims->get("roles") : nullptr;
  if (roles == nullptr) return false;
  const std::string& wanted = rt_.config().console_role;
  if (roles->isString()) return roles->str() == wanted;
  if (!roles->isArray()) return false;
  for (const auto& r : roles->items()) {
    if (r.isString() && r.str() == wanted) return true;
  }
  return false;
}

HttpResponseData ConsoleEndpoint::signIn(const HttpRequestData& req) {
  // A JSON body: a cross-site form cannot send one without a CORS preflight, which idgate
  // never grants; so no other site can sign a browser in to its own account (login CSRF).
  if (!isJsonContentType(req.content_type)) {
    return errorResponse(
        {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
  }
  auto in = jose::parseJson(req.body, jose::JsonLimits{4, 64 * 1024});
  auto username = in ? in->getString("username") : std::nullopt;
  auto password = in ? in->getString("password") : std::nullopt;
  if (!username || !password || username->empty()) {
    return noStore(errorResponse({ErrorCode::kInvalidRequest,
                                  "body must be {\"username\": \"...\", \"password\": \"...\"}"}));
  }
  const ApiError denied{ErrorCode::kConsoleUnauthorized,
                        "Wrong username or password, or not an administrator."};
  auto throttled = [](int64_t seconds) {
    ApiError e{ErrorCode::kTooManyRequests,
               "too many failed sign-ins from this address or for "
               "this user; retry after " +
                   std::to_string(seconds) + " s"};
    e.retry_after_s = seconds;
    return noStore(errorResponse(e));
  };
  bool ok = false;
  if (*username == rt_.config().admin_username) {
    AdminAuth::Result a = rt_.adminAuth().checkPassword(*username, *password, req.remote_address);
    if (a.retry_after_s > 0) return throttled(a.retry_after_s);
    ok = a.ok;
  } else {
    // idgate's users (the user authenticator plugins) with the console role, throttled as the
    // login page does: the account counts an attempt before the check, the address counts
    // failures only, and a right password clears the account's failures, never the address's
    // (one good account must not reset guessing at others).
    LoginThrottle& throttle = rt_.loginThrottle();
    const std::string by_user = "console-user:" + Poco::toLower(username->substr(0, 255));
    const std::string by_address = "console-address:" + addressThrottleKey(req.remote_address);
    int64_t wait = throttle.retryAfterSeconds(by_address);
    if (wait == 0) wait = throttle.begin(by_user);
    if (wait > 0) return throttled(wait);
    UserAuthResult r;
    if (username->size() > 255 || password->size() > 1024) {
      r.kind = UserAuthResult::Kind::kDenied;
    } else {
      PluginManager::Pin pin(rt_.plugins().current());
      r = rt_.userAuthentication().authenticate(*username, *password);
    }
    if (r.kind == UserAuthResult::Kind::kError) {
      throttle.cancel(by_user);
      return noStore(errorResponse({ErrorCode::kServerError, "the user could not be checked"}));
    }
    if (r.kind == UserAuthResult::Kind::kAuthenticated) {
      throttle.succeeded(by_user);
      ok = hasConsoleRole(r.claims_json);
    } else {
      throttle.begin(by_address);  // a failure from this address
    }
  }
  if (!ok) {
    HttpResponseData r = noStore(errorResponse(denied));
    r.log_note = "console sign-in refused";
    return r;
  }
  ConsoleSessions::Started s = rt_.consoleSessions().start(*username);
  HttpResponseData r = sessionBody(*username, s.csrf_token);
  r.headers.emplace_back("Set-Cookie", cookie(req, rt_.issuer(), s.id, false));
  r.log_note = "console sign-in of " + *username;
  Poco::Logger::get("idgate.admin").information("console sign-in of " + *username);
  return r;
}

std::optional<HttpResponseData> ConsoleEndpoint::checkSession(const HttpRequestData& req) {
  auto id = req.cookie(ConsoleSessions::kCookie);
  if (!id) {
    // A console call whose cookie is gone (signed out in another tab): no Basic challenge,
    // which would make the browser put up its own password prompt over the console.
    if (req.header("X-CSRF-Token") == nullptr) return std::nullopt;
    return errorResponse({ErrorCode::kConsoleUnauthorized,
                          "no console session (signed out); sign in again at /console"});
  }
  auto s = rt_.consoleSessions().find(*id);
  if (!s) {
    return errorResponse({ErrorCode::kConsoleUnauthorized,
                          "the console session ended (signed out, or idle for more than " +
                              std::to_string(rt_.consoleSessions().idleTimeoutSeconds()) +
                              " s); sign in again at /console, or use the admin credentials"});
  }
  if (!ConsoleSessions::csrfMatches(*s, req.header("X-CSRF-Token"))) {
    return errorResponse({ErrorCode::kConsoleForbidden,
                          "a console session's call must carry its CSRF token in X-CSRF-Token "
                          "(GET /console/session gives it); reload /console"});
  }
  // A call with its token is activity, except the dashboard's polling of /metrics: an open,
  // unattended dashboard must not keep a session alive.
  if (req.path != "/metrics") rt_.consoleSessions().touch(*id);
  if (req.method != "GET" && req.method != "HEAD") {
    // Who changed what: the access log has the call, this names the console user behind it.
    Poco::Logger::get("idgate.admin")
        .information("console user " + s->username + ": " + req.method + " " + req.path);
  }
  HttpResponseData ok;
  ok.status = 0;
  return ok;
}

}  // namespace idgate
