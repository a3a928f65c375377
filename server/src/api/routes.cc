#include "api/routes.h"

#include "common/dpop_algorithms.h"
#include "common/metrics.h"
#include "config/identity_xml_editor.h"
#include "config/xml_element.h"
#include "keystore/keystore.h"

#include <Poco/Data/Session.h>
#include <Poco/Logger.h>
#include <Poco/String.h>

#include <algorithm>
#include <set>

#include <idgate/jose/json.h>
#include <openssl/x509.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/json_writer.h"
#include "crypto/keys.h"
#include "http/form_decoder.h"
#include "keystore/alias.h"
#include "login/page_response.h"
#include "oauth/authorization_request.h"
#include "oauth/scope_claims.h"
#include "resource/identity_headers.h"
#include "resource/request_origin.h"
#include "store/jti_deferral.h"
#include "store/store_error.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

constexpr const char* kAdminClients = "/api/admin/clients";

HttpResponseData fromRegistry(const RegistryResult& result) {
  if (auto* err = std::get_if<ApiError>(&result)) return noStore(errorResponse(*err));
  const auto& ok = std::get<RegistryResponse>(result);
  HttpResponseData r = json(ok.status, ok.body);
  if (ok.status == 204) r.content_type.clear();
  return noStore(r);
}

/// `r` as it may leave once the jtis inserted during the request are durable: a replay found
/// by the committer replaces it with the refusal a plugin would have given.
HttpResponseData holdForJtiVerdict(HttpResponseData r, JtiDeferral& deferral) {
  if (deferral.empty()) return r;
  r.hold = [when = deferral.whenDurable(), held = r](HttpResponseData::Release release) {
    when([held, release](JtiDeferral::Verdict verdict) {
      switch (verdict) {
        case JtiDeferral::Verdict::kFresh:
          release(held);
          return;
        case JtiDeferral::Verdict::kReplayed:
          // What the assertion plugins answer for a replay they see themselves.
          release(noStore(errorResponse({ErrorCode::kInvalidClient, "jti already used"})));
          return;
        case JtiDeferral::Verdict::kGrantReplayed:
          release(noStore(errorResponse({ErrorCode::kInvalidGrant, "assertion jti already used"})));
          return;
        case JtiDeferral::Verdict::kFailed:
          release(noStore(errorResponse(
              {ErrorCode::kServerError, "client authentication could not be completed"})));
          return;
      }
    });
  };
  return r;
}

}  // namespace

HttpResponseData Routes::handle(const HttpRequestData& req, bool may_block) {
  const std::string& p = req.path;
  if (p == "/oauth2/token" || p == "/o/oauth2/token") {
    return req.method == "POST" ? token(req) : methodNotAllowed("POST");
  }
  if (p == "/oauth2/revoke" || p == "/oauth2/introspect") {
    return req.method == "POST" ? lifecycle(req) : methodNotAllowed("POST");
  }
  if (p == "/oauth2/jwks") return req.method == "GET" ? jwks() : methodNotAllowed("GET");
  if (p == "/.well-known/openid-configuration" || p == "/.well-known/oauth-authorization-server") {
    return req.method == "GET" ? discovery() : methodNotAllowed("GET");
  }
  if (p == "/health") return req.method == "GET" ? health(may_block) : methodNotAllowed("GET");
  if (p.rfind("/api/admin/", 0) == 0) return admin(req);
  if (p == "/metrics") return metrics(req);
  if (auto console = console_.handle(req)) return *console;
  if (p == "/api/me") {
    return req.method == "GET" || req.method == "POST" ? me(req) : methodNotAllowed("GET, POST");
  }
  if (p == "/auth/check") return authCheck(req);
  if (p.rfind("/oauth2/", 0) == 0) {
    if (auto r = login(req)) return *r;
  }
  return errorResponse({ErrorCode::kNotFound, "no endpoint at " + p});
}

std::optional<HttpResponseData> Routes::login(const HttpRequestData& req) {
  const std::string& p = req.path;
  const bool get_or_post = req.method == "GET" || req.method == "POST";
  if (p.rfind("/oauth2/assets/", 0) == 0) {
    if (req.method != "GET") return methodNotAllowed("GET");
    auto asset = rt_.pages().asset(p.substr(std::string("/oauth2/assets/").size()));
    if (!asset) return errorResponse({ErrorCode::kNotFound, "no asset at " + p});
    HttpResponseData r;
    r.content_type = asset->content_type;
    r.body = asset->body;
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'");
    return r;
  }
  // The pages: a store failure is a page saying so (500), never a wrong "yes".
  auto page = [&](auto&& call) -> HttpResponseData {
    PluginManager::Pin pin(rt_.plugins().current());
    try {
      return call();
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.login").error(e.what());
      return errorPage(rt_.pages(),
                       {ErrorCode::kServerError,
                        "the sign-in service cannot reach its database; "
                        "try again in a moment"},
                       500);
    }
  };
  if (p == "/oauth2/authorize") {
    if (!get_or_post) return methodNotAllowed("GET, POST");
    return page([&] { return rt_.loginFlow().authorize(req); });
  }
  if (p == "/oauth2/login" || p == "/oauth2/consent" || p == "/oauth2/logout/confirm") {
    if (req.method != "POST") return methodNotAllowed("POST");
    if (p == "/oauth2/login") return page([&] { return rt_.loginFlow().login(req); });
    if (p == "/oauth2/consent") return page([&] { return rt_.loginFlow().consent(req); });
    return page([&] { return rt_.logout().confirm(req); });
  }
  if (p == "/oauth2/logout") {
    if (!get_or_post) return methodNotAllowed("GET, POST");
    return page([&] { return rt_.logout().logout(req); });
  }
  if (p == "/oauth2/par") {
    if (req.method != "POST") return methodNotAllowed("POST");
    return clientCall(
        [&] {
          auto result = rt_.par().push(req);
          if (auto* err = std::get_if<ApiError>(&result)) return errorResponse(*err);
          return json(201, std::get<std::string>(result));
        },
        "the request could not be stored");
  }
  if (p == "/oauth2/userinfo") {
    if (!get_or_post) return methodNotAllowed("GET, POST");
    try {
      auto result = rt_.userinfo().handle(req);
      if (auto* err = std::get_if<ApiError>(&result)) return noStore(errorResponse(*err));
      return noStore(json(200, std::get<std::string>(result)));
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.login").error(e.what());
      return noStore(errorResponse({ErrorCode::kServerError, "the token could not be checked"}));
    }
  }
  return std::nullopt;
}

HttpResponseData Routes::clientCall(const std::function<HttpResponseData()>& call,
                                    const char* store_failure) {
  // One plugin set for the whole request, even if a reload swaps in another meanwhile.
  PluginManager::Pin pin(rt_.plugins().current());
  // Assertion jtis the plugins insert are decided by the store's committer; the answer waits
  // for their durable verdict (store/jti_deferral.h) instead of this thread.
  JtiDeferral deferral;
  HttpResponseData r;
  try {
    r = call();
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.token").error(e.what());
    r = errorResponse({ErrorCode::kServerError, store_failure});
  }
  return holdForJtiVerdict(noStore(std::move(r)), deferral);
}

HttpResponseData Routes::token(const HttpRequestData& req) {
  auto decoded = tokenRequestFrom(req, rt_.issuer() + req.path, {"resource", "audience"});
  if (auto* err = std::get_if<ApiError>(&decoded)) return noStore(errorResponse(*err));
  const TokenRequest& tr = std::get<TokenRequest>(decoded);
  return clientCall(
      [&] {
        auto result = rt_.tokenEndpoint().handle(tr);
        if (auto* err = std::get_if<ApiError>(&result)) {
          Metrics::get().token_errors.add({errorName(err->code)});
          return errorResponse(*err);
        }
        const auto& issued = std::get<TokenEndpoint::Issued>(result);
        // A grant type a client made up never gets here: only those a handler answers.
        Metrics::get().tokens_issued.add({issued.grant_type, issued.auth_method});
        HttpResponseData r = json(200, issued.body);
        r.log_note = issued.log_note;
        return r;
      },
      "the grant could not be checked");
}

HttpResponseData Routes::lifecycle(const HttpRequestData& req) {
  auto decoded = tokenRequestFrom(req, rt_.issuer() + req.path);
  if (auto* err = std::get_if<ApiError>(&decoded)) return noStore(errorResponse(*err));
  const TokenRequest& tr = std::get<TokenRequest>(decoded);
  return clientCall(
      [&] {
        if (req.path == "/oauth2/revoke") {
          auto refused = rt_.tokenLifecycle().revoke(tr);
          return refused ? errorResponse(*refused) : json(200, "{}");
        }
        // RFC 9701: a signed answer when the caller asks for one.
        const std::string* accept = req.header("Accept");
        const bool as_jwt =
            accept != nullptr &&
            accept->find("application/token-introspection+jwt") != std::string::npos;
        auto result = rt_.tokenLifecycle().introspect(tr, as_jwt);
        if (auto* err = std::get_if<ApiError>(&result)) return errorResponse(*err);
        HttpResponseData r = json(200, std::get<std::string>(result));
        if (as_jwt) r.content_type = "application/token-introspection+jwt";
        return r;
      },
      "the token could not be checked");
}

HttpResponseData Routes::jwks() {
  HttpResponseData r = json(200, rt_.signingKeys().jwksJson(rt_.clock().nowSeconds()));
  r.content_type = "application/jwk-set+json";
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  return r;
}

HttpResponseData Routes::discovery() {
  std::vector<std::string> methods;
  std::set<std::string> algs;
  PluginManager::Pin pin(rt_.plugins().current());
  for (const auto& a : pin.set().authenticators) {
    if (std::find(methods.begin(), methods.end(), a->authMethod()) == methods.end()) {
      methods.push_back(a->authMethod());
    }
    algs.insert(a->signingAlgs().begin(), a->signingAlgs().end());
  }
  const std::string& iss = rt_.issuer();
  JsonWriter w;
  const std::vector<std::string> sign_alg = {rt_.signingKeys().signer()->alg()};
  w.field("issuer", iss)
      .field("authorization_endpoint", iss + "/oauth2/authorize")
      .field("token_endpoint", iss + "/oauth2/token")
      .field("pushed_authorization_request_endpoint", iss + "/oauth2/par")
      .field("require_pushed_authorization_requests", rt_.identity().login.require_par)
      .field("userinfo_endpoint", iss + "/oauth2/userinfo")
      .field("revocation_endpoint", iss + "/oauth2/revoke")
      .field("introspection_endpoint", iss + "/oauth2/introspect")
      .field("end_session_endpoint", iss + "/oauth2/logout")
      .field("jwks_uri", iss + "/oauth2/jwks")
      .field("scopes_supported", standardScopes())
      .field("grant_types_supported", rt_.tokenEndpoint().grantTypes())
      .field("response_types_supported", std::vector<std::string>{"code"})
      .field("response_modes_supported", std::vector<std::string>{"query", "form_post"})
      .field("code_challenge_methods_supported", std::vector<std::string>{"S256"})
      .field("prompt_values_supported", std::vector<std::string>{"none", "login", "consent"})
      .field("subject_types_supported", std::vector<std::string>{"public"})
      .field("id_token_signing_alg_values_supported", sign_alg)
      .field("claims_supported", standardClaimNames())
      .field("claims_parameter_supported", false)
      .field("request_parameter_supported", false)
      .field("request_uri_parameter_supported", false)
      .field("authorization_response_iss_parameter_supported", true)
      .field("token_endpoint_auth_methods_supported", methods)
      .field("revocation_endpoint_auth_methods_supported", methods)
      .field("introspection_endpoint_auth_methods_supported", methods)
      .field("dpop_signing_alg_values_supported", dpopAlgorithms());
  if (!algs.empty()) {
    w.field("token_endpoint_auth_signing_alg_values_supported",
            std::vector<std::string>(algs.begin(), algs.end()));
  }
  w.field("access_token_signing_alg_values_supported",
          std::vector<std::string>{rt_.signingKeys().signer()->alg()});
  HttpResponseData r = json(200, w.finish());
  r.headers.emplace_back("Cache-Control", "public, max-age=60");
  return r;
}

namespace {
int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

bool Routes::answersWithoutBlocking(const HttpRequestData& req) const {
  if (req.method != "GET") return false;
  const std::string& p = req.path;
  if (p == "/oauth2/jwks" || p == "/.well-known/openid-configuration" ||
      p == "/.well-known/oauth-authorization-server" || p.rfind("/oauth2/assets/", 0) == 0) {
    return true;
  }
  if (ConsoleEndpoint::isStatic(req)) return true;
  return p == "/health" && steadyMs() < health_ok_until_ms_.load(std::memory_order_relaxed);
}

HttpResponseData Routes::health(bool may_block) {
  const std::string ok = JsonWriter().field("status", "ok").field("database", "ok").finish();
  // On the loop the last check was ok under kHealthCacheMs ago when the request was placed.
  if (!may_block || steadyMs() < health_ok_until_ms_.load(std::memory_order_relaxed)) {
    return json(200, ok);
  }
  try {
    Poco::Data::Session s = rt_.database().session();
    int one = 0;
    s << "SELECT 1", into(one), now;
    health_ok_until_ms_.store(steadyMs() + kHealthCacheMs, std::memory_order_relaxed);
    return json(200, ok);
  } catch (const std::exception&) {
    HttpResponseData r =
        json(503, JsonWriter().field("status", "unavailable").field("database", "failed").finish());
    r.log_note = "database check failed";
    return r;
  }
}

std::optional<HttpResponseData> Routes::adminRefusal(const HttpRequestData& req) {
  if (hasBearerScheme(req.authorization)) return adminBearer(req);
  if (req.authorization.empty()) {
    // The console: its session cookie and CSRF token (no cookie: the Basic challenge below).
    if (auto console = console_.checkSession(req)) {
      if (console->status == 0) return std::nullopt;
      return *console;
    }
  }
  if (AdminAuth::Result a = rt_.adminAuth().check(req.authorization, req.remote_address); !a.ok) {
    if (a.retry_after_s > 0) {
      ApiError e{ErrorCode::kTooManyRequests,
                 "too many failed admin logins from this address or for this user; retry after " +
                     std::to_string(a.retry_after_s) + " s"};
      e.retry_after_s = a.retry_after_s;
      return errorResponse(e);
    }
    return errorResponse({ErrorCode::kAdminUnauthorized, "admin credentials required"});
  }
  return std::nullopt;
}

HttpResponseData Routes::metrics(const HttpRequestData& req) {
  if (req.method != "GET") return methodNotAllowed("GET");
  if (!rt_.config().metrics_public) {
    if (auto refused = adminRefusal(req)) return *refused;
  }
  HttpResponseData r;
  r.status = 200;
  r.body = Metrics::get().render();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return noStore(r);
}

HttpResponseData Routes::admin(const HttpRequestData& req) {
  if (auto refused = adminRefusal(req)) return *refused;
  // A change comes with a JSON body or with none. A form's or text's Content-Type is what a page
  // on another site can make a browser send without a CORS preflight, with the Basic
  // credentials it has cached: refused before any call, body-less ones (reload, secret
  // rotation, signing-key rotation) included.
  if (req.method != "GET" && req.method != "HEAD" && !req.content_type.empty() &&
      !isJsonContentType(req.content_type)) {
    return errorResponse({ErrorCode::kUnsupportedMediaType,
                          "Content-Type must be application/json (or absent for a call without a "
                          "body), not '" +
                              req.content_type.substr(0, 100) + "'"});
  }
  const std::string& p = req.path;
  if (p == "/api/admin/plugins")
    return req.method == "GET" ? adminPlugins() : methodNotAllowed("GET");
  if (p == "/api/admin/plugins/reload")
    return req.method == "POST" ? adminReload() : methodNotAllowed("POST");
  if (p.rfind("/api/admin/plugins/", 0) == 0 && p.size() > 19) {
    if (req.method != "PATCH") return methodNotAllowed("PATCH");
    return adminPluginChange(req, percentDecode(p.substr(19)).value_or(""));
  }
  if (p == "/api/admin/keystore" || p.rfind("/api/admin/keystore/", 0) == 0) {
    return adminKeystore(req);
  }
  if (p == "/api/admin/user-check") {
    if (req.method != "POST") return methodNotAllowed("POST");
    return adminUserCheck(req);
  }
  if (p == "/api/admin/users") {
    if (req.method == "GET") return fromRegistry(rt_.userRegistry().list());
    if (req.method != "POST") return methodNotAllowed("GET, POST");
    if (!isJsonContentType(req.content_type)) {
      return errorResponse(
          {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
    }
    return fromRegistry(rt_.userRegistry().create(req.body));
  }
  if (p.rfind("/api/admin/users/", 0) == 0 && p.size() > 17) {
    std::string name = percentDecode(p.substr(17)).value_or("");
    if (name.empty() || name.find('/') != std::string::npos) {
      return errorResponse({ErrorCode::kNotFound, "no endpoint at " + p});
    }
    if (req.method == "GET") return fromRegistry(rt_.userRegistry().get(name));
    // A user changed or deleted keeps no console session made with what it was.
    auto ending = [&](RegistryResult result) {
      if (std::holds_alternative<RegistryResponse>(result)) rt_.consoleSessions().endFor(name);
      return fromRegistry(result);
    };
    if (req.method == "DELETE") return ending(rt_.userRegistry().remove(name));
    if (req.method != "PATCH") return methodNotAllowed("GET, PATCH, DELETE");
    if (!isJsonContentType(req.content_type)) {
      return errorResponse(
          {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
    }
    return ending(rt_.userRegistry().update(name, req.body));
  }
  if (p == kAdminClients) {
    if (req.method == "GET") return fromRegistry(rt_.registry().list());
    if (req.method != "POST") return methodNotAllowed("GET, POST");
    if (!isJsonContentType(req.content_type)) {
      return errorResponse(
          {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
    }
    return fromRegistry(rt_.registry().create(req.body));
  }
  std::string prefix = std::string(kAdminClients) + "/";
  if (p.rfind(prefix, 0) == 0 && p.size() > prefix.size()) {
    std::string rest = p.substr(prefix.size());
    const std::string secret_suffix = "/secret";
    if (rest.size() > secret_suffix.size() &&
        rest.compare(rest.size() - secret_suffix.size(), secret_suffix.size(), secret_suffix) ==
            0) {
      if (req.method != "POST") return methodNotAllowed("POST");
      auto id = percentDecode(rest.substr(0, rest.size() - secret_suffix.size()));
      if (!id || id->empty() || id->find('/') != std::string::npos) {
        return errorResponse({ErrorCode::kNotFound, "no endpoint at " + p});
      }
      return fromRegistry(rt_.registry().rotateSecret(*id));
    }
    std::string id;
    if (auto decoded = percentDecode(rest)) id = *decoded;
    if (id.empty() || id.find('/') != std::string::npos) {
      return errorResponse({ErrorCode::kNotFound, "no endpoint at " + p});
    }
    if (req.method == "GET") return fromRegistry(rt_.registry().get(id));
    if (req.method == "DELETE") return fromRegistry(rt_.registry().remove(id));
    if (req.method == "PUT") {
      if (!isJsonContentType(req.content_type)) {
        return errorResponse(
            {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
      }
      return fromRegistry(rt_.registry().replace(id, req.body));
    }
    return methodNotAllowed("GET, PUT, DELETE");
  }
  return errorResponse({ErrorCode::kNotFound, "no endpoint at " + p});
}

namespace {

std::string asn1Time(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string isoTime(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

HttpResponseData Routes::adminKeystore(const HttpRequestData& req) {
  const std::string certs = "/api/admin/keystore/certificates";
  if (req.path == "/api/admin/keystore") {
    if (req.method != "GET") return methodNotAllowed("GET");
    auto ks = rt_.keystore();
    std::vector<std::string> items;
    for (const auto& e : ks->entries()) {
      JsonWriter w;
      w.field("alias", e.alias).field("entry_type", toString(e.kind));
      if (!e.chain.empty()) {
        X509* c = e.chain.front().get();
        w.field("subject", crypto::distinguishedName(X509_get_subject_name(c), false))
            .field("issuer", crypto::distinguishedName(X509_get_issuer_name(c), false))
            .field("not_before", asn1Time(X509_get0_notBefore(c)))
            .field("not_after", asn1Time(X509_get0_notAfter(c)))
            .field("sha256_fingerprint", crypto::certificateSha256Fingerprint(c));
      }
      if (int64_t until = SigningKeys::retiredUntil(rt_.signingKeys().alias(), e.alias);
          until >= 0) {
        w.field("published_until", isoTime(until));  // a signing key retired by a rotation
      }
      items.push_back(w.finish());  // never any key material
    }
    return noStore(json(200, JsonWriter()
                                 .field("type", toString(ks->format()))
                                 .field("signing_alias", rt_.signingKeys().alias())
                                 .field("signing_kid", rt_.signingKeys().signer()->kid())
                                 .raw("entries", jsonArray(items))
                                 .finish()));
  }
  if (req.path == "/api/admin/keystore/signing-key") {
    if (req.method != "POST") return methodNotAllowed("POST");
    Runtime::SigningKeyRotation rotation;
    if (std::string refused = rt_.rotateSigningKey(&rotation); !refused.empty()) {
      return errorResponse({refused.rfind("keystore not saved", 0) == 0 ? ErrorCode::kServerError
                                                                        : ErrorCode::kConflict,
                            refused});
    }
    HttpResponseData r = json(200, JsonWriter()
                                       .field("signing_alias", rt_.signingKeys().alias())
                                       .field("kid", rotation.kid)
                                       .field("retired_alias", rotation.retired_alias)
                                       .field("published_until", isoTime(rotation.publish_until))
                                       .field("removed_aliases", rotation.removed_aliases)
                                       .finish());
    r.log_note = "rotated the signing key";
    return noStore(r);
  }
  if (req.path == certs) {
    if (req.method != "POST") return methodNotAllowed("POST");
    if (!isJsonContentType(req.content_type)) {
      return errorResponse(
          {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
    }
    auto body = jose::parseJson(req.body);
    auto alias = body ? body->getString("alias") : std::nullopt;
    auto pem = body ? body->getString("certificate") : std::nullopt;
    if (!alias || alias->empty() || !pem) {
      return errorResponse(
          {ErrorCode::kInvalidRequest, "body must be {\"alias\": ..., \"certificate\": PEM}"});
    }
    if (auto bad = aliasError(*alias)) return errorResponse({ErrorCode::kInvalidRequest, *bad});
    try {
      // A certificate for a client goes under its id (or the id in lower case): any other case
      // variant would be matched to that client by nothing, or to a later one by mistake.
      auto owner = rt_.clients().findIdIgnoringCase(*alias);
      if (owner && !certificateAliasFits(*alias, *owner)) {
        return errorResponse({ErrorCode::kInvalidRequest,
                              "alias '" + *alias + "' differs only in case from client '" + *owner +
                                  "': import its certificate under '" + *owner + "'"});
      }
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.store").error(e.what());
      return errorResponse({ErrorCode::kServerError, "client store unavailable"});
    }
    auto cert = crypto::certificateFromPemOrDer(*pem);
    if (!cert)
      return errorResponse(
          {ErrorCode::kInvalidRequest, "certificate is not a PEM X.509 certificate"});
    try {
      std::string refused = rt_.keystoreHolder().update([&](Keystore& ks) -> std::string {
        if (ks.find(*alias) != nullptr)
          return "Certificate not imported, alias <" + *alias + "> already exists";
        KeystoreEntry e;
        e.kind = KeystoreEntry::Kind::kTrustedCertificate;
        e.alias = *alias;
        e.chain.push_back(cert);
        ks.put(e);
        return {};
      });
      if (!refused.empty()) return errorResponse({ErrorCode::kConflict, refused});
    } catch (const KeystoreError& e) {
      return errorResponse(
          {ErrorCode::kServerError, std::string("keystore not saved: ") + e.what()});
    }
    HttpResponseData r =
        json(201, JsonWriter()
                      .field("alias", *alias)
                      .field("entry_type", "trustedCertEntry")
                      .field("sha256_fingerprint", crypto::certificateSha256Fingerprint(cert.get()))
                      .finish());
    r.log_note = "imported certificate " + *alias;
    return r;
  }
  if (req.path.rfind(certs + "/", 0) == 0) {
    if (req.method != "DELETE") return methodNotAllowed("DELETE");
    std::string alias = percentDecode(req.path.substr(certs.size() + 1)).value_or("");
    bool missing = false;
    try {
      std::string refused = rt_.keystoreHolder().update([&](Keystore& ks) -> std::string {
        const KeystoreEntry* e = ks.find(alias);
        if (e == nullptr) {
          missing = true;
          return "no entry '" + alias + "'";
        }
        if (e->kind != KeystoreEntry::Kind::kTrustedCertificate) {
          return "entry '" + alias + "' is a " + toString(e->kind) +
                 "; only certificates are deleted here";
        }
        ks.remove(alias);
        return {};
      });
      if (missing) return errorResponse({ErrorCode::kNotFound, refused});
      if (!refused.empty()) return errorResponse({ErrorCode::kConflict, refused});
    } catch (const KeystoreError& e) {
      return errorResponse(
          {ErrorCode::kServerError, std::string("keystore not saved: ") + e.what()});
    }
    HttpResponseData r = json(204, "");
    r.content_type.clear();
    r.log_note = "deleted certificate " + alias;
    return r;
  }
  return errorResponse({ErrorCode::kNotFound, "no endpoint at " + req.path});
}

HttpResponseData Routes::adminPlugins() {
  const std::shared_ptr<const PluginSet> set = rt_.plugins().current();
  std::vector<std::string> items;
  for (const auto& s : set->statuses) {
    JsonWriter w;
    w.field("file", s.file).field("status", toString(s.state));
    if (!s.reason.empty()) w.field("reason", s.reason);
    if (!s.sha256.empty()) w.field("sha256", s.sha256);
    if (const PluginDescriptor* d = s.descriptor.get()) {
      w.field("name", d->name).field("kind", d->kind_name).field("aliases", d->aliases);
      w.field("abi", d->abi);
      if (!d->version.empty()) w.field("version", d->version);
      w.field("capabilities", capabilityNames(d->capabilities));
      if (d->kind == IDGATE_KIND_CLIENT_AUTHENTICATOR) {
        w.field("auth_method", d->auth_method).field("signing_algs", d->signing_algs);
        w.field("secret_form", d->secret_form == IDGATE_SECRET_HASHED   ? "hashed"
                               : d->secret_form == IDGATE_SECRET_SEALED ? "sealed"
                                                                        : "none");
        if (d->default_method) w.field("default_method", true);
      }
      if (d->kind == IDGATE_KIND_GRANT_HANDLER) w.field("grant_type", d->grant_type);
    }
    if (s.state != PluginStatus::State::kFailed || !s.listener_name.empty()) {
      w.field("order_id", static_cast<int64_t>(s.order_id));
    }
    if (!s.listener_name.empty()) w.field("event_listener", s.listener_name);
    if (s.instance) {
      const PluginCallStats::Snapshot c = s.instance->callStats();
      w.raw("calls",
            JsonWriter()
                .field("count", static_cast<int64_t>(c.calls))
                .field("failures", static_cast<int64_t>(c.failures))
                .field("total_us", static_cast<int64_t>(c.total_us))
                .field("refused_host_calls", static_cast<int64_t>(s.instance->refusedCalls()))
                .finish());
    }
    JsonWriter props;
    for (const auto& [k, v] : s.properties) {
      // Plugin properties may carry credentials (a directory password, an API secret): the
      // listing shows that they are set, not what they are.
      std::string lower = Poco::toLower(k);
      bool secret = lower.find("secret") != std::string::npos ||
                    lower.find("password") != std::string::npos ||
                    lower.find("passwd") != std::string::npos ||
                    lower.find("credential") != std::string::npos ||
                    (lower.size() >= 3 && lower.compare(lower.size() - 3, 3, "key") == 0);
      props.field(k, secret ? std::string("********") : v);
    }
    w.raw("properties", props.finish());
    items.push_back(w.finish());
  }
  auto names = [](const auto& list) {
    std::vector<std::string> out;
    for (const auto& p : list) out.push_back(p->name());
    return out;
  };
  JsonWriter body;
  body.field("generation", static_cast<int64_t>(set->generation))
      .field("loaded_at", isoTime(set->loaded_at_ms / 1000))
      .raw("plugins", jsonArray(items))
      .field("order", names(set->authenticators));
  body.raw("order_by_kind", JsonWriter()
                                .field("client_authenticator", names(set->authenticators))
                                .field("subject_mapper", names(set->mappers))
                                .field("token_customizer", names(set->customizers))
                                .field("grant_handler", names(set->grant_handlers))
                                .field("user_authenticator", names(set->user_authenticators))
                                .finish());
  return noStore(json(200, body.finish()));
}

HttpResponseData Routes::adminUserCheck(const HttpRequestData& req) {
  auto in = jose::parseJson(req.body, jose::JsonLimits{4, 64 * 1024});
  auto username = in ? in->getString("username") : std::nullopt;
  auto password = in ? in->getString("password") : std::nullopt;
  if (!username || !password) {
    return noStore(errorResponse({ErrorCode::kInvalidRequest,
                                  "body must be {\"username\": \"...\", \"password\": \"...\"}"}));
  }
  PluginManager::Pin pin(rt_.plugins().current());
  UserAuthResult r = rt_.userAuthentication().authenticate(*username, *password);
  if (r.kind == UserAuthResult::Kind::kError) {
    return noStore(errorResponse({ErrorCode::kServerError, "the user could not be checked"}));
  }
  JsonWriter w;
  w.field("authenticated", r.kind == UserAuthResult::Kind::kAuthenticated);
  if (!r.authenticator.empty()) w.field("authenticator", r.authenticator);
  if (r.kind == UserAuthResult::Kind::kAuthenticated) {
    w.field("subject", r.subject).raw("claims", r.claims_json);
  } else {
    w.field("reason", r.reason);
  }
  return noStore(json(200, w.finish()));
}

namespace {

HttpResponseData reloadResponse(const PluginManager::ReloadResult& r) {
  JsonWriter w;
  w.field("applied", r.applied).field("generation", static_cast<int64_t>(r.generation));
  if (r.applied) {
    w.field("changes", r.changes);
    HttpResponseData out = noStore(json(200, w.finish()));
    out.log_note = "plugins reloaded: generation " + std::to_string(r.generation);
    return out;
  }
  // The running set keeps serving; say why the new one was refused.
  std::string why;
  for (const auto& p : r.problems) why += (why.empty() ? "" : "; ") + p;
  w.field("error", "reload_refused")
      .field("error_description", "the running plugins (generation " +
                                      std::to_string(r.generation) +
                                      ") keep serving; fix these and reload again: " + why)
      .field("problems", r.problems);
  return noStore(json(409, w.finish()));
}

}  // namespace

HttpResponseData Routes::adminReload() {
  std::lock_guard<std::mutex> lock(rt_.identityXmlMutex());
  return reloadResponse(rt_.reloadPlugins());
}

HttpResponseData Routes::adminPluginChange(const HttpRequestData& req, const std::string& name) {
  if (!isJsonContentType(req.content_type)) {
    return errorResponse(
        {ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"});
  }
  auto in = jose::parseJson(req.body, jose::JsonLimits{4, 4096});
  const jose::Json* enabled = in ? in->get("enabled") : nullptr;
  const jose::Json* order = in ? in->get("order_id") : nullptr;
  bool well_formed =
      in && in->isObject() && (enabled != nullptr || order != nullptr) &&
      (enabled == nullptr || enabled->type() == jose::Json::Type::kBool) &&
      (order == nullptr ||
       (order->isNumber() && order->number() >= -1000000 && order->number() <= 1000000 &&
        order->number() == static_cast<int64_t>(order->number())));
  if (well_formed) {
    for (const auto& [member, unused] : in->members()) {
      if (member != "enabled" && member != "order_id") well_formed = false;
    }
  }
  if (!well_formed) {
    return errorResponse({ErrorCode::kInvalidRequest,
                          "body must be {\"enabled\": true|false} and/or {\"order_id\": an "
                          "integer}, nothing else"});
  }
  std::lock_guard<std::mutex> lock(rt_.identityXmlMutex());
  const std::shared_ptr<const PluginSet> set = rt_.plugins().current();
  const PluginStatus* found = nullptr;
  for (const auto& st : set->statuses) {
    const PluginDescriptor* d = st.descriptor.get();
    if (d == nullptr) continue;
    bool named = d->name == name ||
                 std::find(d->aliases.begin(), d->aliases.end(), name) != d->aliases.end();
    if (named) found = &st;
  }
  if (found == nullptr) {
    return errorResponse({ErrorCode::kNotFound, "no plugin named '" + name +
                                                    "' in dropins/; GET /api/admin/plugins lists "
                                                    "them"});
  }
  const PluginDescriptor& d = *found->descriptor;
  std::vector<std::string> names = d.aliases;
  names.push_back(d.name);
  if (!found->listener_name.empty()) names.push_back(found->listener_name);
  const bool enable =
      enabled != nullptr ? enabled->boolean() : found->state != PluginStatus::State::kDisabled;
  const int64_t order_id =
      order != nullptr ? static_cast<int64_t>(order->number()) : found->order_id;

  const std::string file = rt_.config().conf_dir + "/identity.xml";
  std::string before;
  try {
    before = readConfigFile(file);
  } catch (const ConfigError& e) {
    return errorResponse({ErrorCode::kServerError, e.what()});
  }
  std::string after = before;
  if (auto refused = setEventListener(after, names, d.name, enable, order_id)) {
    return errorResponse({ErrorCode::kConflict, file + ": " + *refused});
  }
  auto mode = std::filesystem::status(file).permissions();
  try {
    writeFileAtomically(file, after, static_cast<unsigned>(mode));
  } catch (const std::exception& e) {
    return errorResponse({ErrorCode::kServerError,
                          file + " could not be written (" + e.what() + "); nothing changed"});
  }
  PluginManager::ReloadResult r = rt_.reloadPlugins();
  if (!r.applied) {
    try {
      writeFileAtomically(file, before, static_cast<unsigned>(mode));  // as it was
    } catch (const std::exception& e) {
      Poco::Logger::get("idgate.admin")
          .error(file + ": the refused change could not be taken back: " + e.what());
    }
  }
  if (r.applied) {
    // Fail closed: the running set must now say what was asked (a second element naming the
    // plugin, or a name the editor and the reader see differently, would leave it as it was).
    const std::shared_ptr<const PluginSet> now = rt_.plugins().current();
    bool as_asked = false;
    for (const auto& st : now->statuses) {
      if (st.descriptor && st.descriptor->name == d.name) {
        as_asked = (st.state == PluginStatus::State::kActive) == enable &&
                   (!enable || st.order_id == order_id);
      }
    }
    if (!as_asked) {
      try {
        writeFileAtomically(file, before, static_cast<unsigned>(mode));
      } catch (const std::exception& e) {
        Poco::Logger::get("idgate.admin")
            .error(file + ": the change could not be taken back: " + e.what());
      }
      rt_.reloadPlugins();
      return errorResponse({ErrorCode::kConflict,
                            "after the change plugin '" + d.name + "' was not " +
                                (enable ? "enabled" : "disabled") + " with orderId " +
                                std::to_string(order_id) + "; " + file +
                                " is put back as it was: check which <EventListener> names the "
                                "plugin there"});
    }
  }
  HttpResponseData out = reloadResponse(r);
  out.log_note = "plugin " + d.name + (enable ? " enabled" : " disabled") + ", orderId " +
                 std::to_string(order_id) + (r.applied ? "" : ": refused, file restored");
  return out;
}

HttpResponseData Routes::me(const HttpRequestData& req) {
  GuardResult g = rt_.resourceGuard().authenticate(RequestOrigin::direct(req));
  if (g.kind != GuardResult::Kind::kAuthenticated) {
    if (g.kind == GuardResult::Kind::kAnonymous) g.kind = GuardResult::Kind::kNoToken;
    return challengeResponse(g);
  }
  const Subject& s = g.subject;
  JsonWriter w;
  w.field("principal", s.principal);
  w.field("unique_id", s.uniqueId());
  w.field("unique_security_name", s.unique_name);
  w.field("realm", s.realm);
  w.field("groups", s.groupIds());
  if (!s.client_id.empty()) w.field("client_id", s.client_id);
  w.field("issuer", s.issuer);
  w.field("openid_connect_client", s.config_id);
  w.raw("claims", s.claims_json);
  HttpResponseData r = json(200, w.finish());
  r.log_note = g.logNote();
  if (!g.set_cookie.empty()) r.headers.emplace_back("Set-Cookie", g.set_cookie);
  return noStore(r);
}

HttpResponseData Routes::authCheck(const HttpRequestData& req) {
  RequestOrigin original = RequestOrigin::forwarded(req);
  if (original.ambiguous) {
    return noStore(errorResponse(
        {ErrorCode::kInvalidRequest,
         "ambiguous original path (dot segments, encoded separators or backslashes)"}));
  }
  GuardResult g = rt_.resourceGuard().authenticate(original);
  if (g.kind == GuardResult::Kind::kAnonymous) {
    HttpResponseData r;
    r.status = 200;
    r.log_note = g.logNote();
    return noStore(r);
  }
  if (g.kind != GuardResult::Kind::kAuthenticated) return challengeResponse(g);
  HttpResponseData r;
  r.status = 200;
  for (auto& h : identityHeaders(g.subject)) r.headers.push_back(std::move(h));
  if (!g.set_cookie.empty()) r.headers.emplace_back("Set-Cookie", g.set_cookie);
  r.log_note = g.logNote();
  return noStore(r);
}

std::optional<HttpResponseData> Routes::adminBearer(const HttpRequestData& req) {
  // A bearer JWT is accepted for the admin API only when idgate itself signed it: the first
  // active <openidConnectClient> that trusts idgate's issuer with idgate's own keys (no JWKS
  // URL, trust alias or shared HMAC secret, which other parties could sign with), the token's
  // iss being idgate's, the token in the Authorization header (no session cookie), and the
  // idgate:admin scope.
  const OidcClientConfig* own = nullptr;
  for (const auto& c : rt_.config().resource.clients) {
    if (c.usesOwnKeys() && c.key_management_key_alias.empty() &&
        c.inbound != OidcClientConfig::Propagation::kNone) {
      own = &c;
      break;
    }
  }
  if (own == nullptr) {
    return errorResponse({ErrorCode::kAdminUnauthorized,
                          "bearer tokens need an openidConnectClient trusting idgate's issuer"});
  }
  GuardResult g = rt_.resourceGuard().authenticate(RequestOrigin::direct(req), own);
  if (g.kind == GuardResult::Kind::kAuthenticated &&
      (g.from_session || g.subject.issuer != rt_.issuer())) {
    g.kind = GuardResult::Kind::kInvalid;
    g.description = "the admin API accepts only tokens idgate issued";
  }
  if (g.kind != GuardResult::Kind::kAuthenticated) {
    if (g.kind == GuardResult::Kind::kAnonymous) g.kind = GuardResult::Kind::kInvalid;
    return challengeResponse(g);
  }
  const auto& scopes = g.subject.scopes;
  if (std::find(scopes.begin(), scopes.end(), "idgate:admin") == scopes.end()) {
    ApiError error{ErrorCode::kInsufficientScope, "the token lacks the idgate:admin scope"};
    error.bearer_realm = "idgate";
    error.bearer_scope = "idgate:admin";
    HttpResponseData r = errorResponse(error);
    r.log_note = "admin bearer without idgate:admin";
    return r;
  }
  return std::nullopt;
}

}  // namespace idgate
