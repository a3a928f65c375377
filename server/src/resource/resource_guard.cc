#include "resource/resource_guard.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <idgate/jose/base64url.h>
#include <idgate/jose/json.h>

#include <algorithm>

#include "common/json_writer.h"
#include "common/metrics.h"
#include "http/form_decoder.h"
#include "http/responses.h"
#include "resource/auth_filter.h"

namespace idgate {
namespace {

/// For log lines: control characters (a forged enc or crv could carry a newline) become '?'.
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

bool hasBearerScheme(const std::string& v) {
  return v.size() > 7 && Poco::icompare(v.substr(0, 7), "Bearer ") == 0;
}

bool hasDpopScheme(const std::string& v) {
  return v.size() > 5 && Poco::icompare(v.substr(0, 5), "DPoP ") == 0;
}

std::string GuardResult::logNote() const {
  if (kind != Kind::kAuthenticated) return "anonymous (" + printable(description) + ")";
  return "config=" + subject.config_id + (from_cache ? " cached" : "") +
         (from_session ? " session" : "");
}

/// The tokens of one request: a configuration with a headerName reads only that header (name
/// case-insensitive, optional "Bearer "); every other one reads Authorization: Bearer, else
/// access_token in a form-urlencoded POST body — found once per request.
class RequestTokens {
 public:
  explicit RequestTokens(const HttpRequestData& r) : r_(r) {}

  /// The standard token came as Authorization: DPoP.
  bool dpop() const { return dpop_; }

  const std::optional<std::string>& get(const OidcClientConfig& c) {
    if (!c.header_name.empty()) return named_ = fromHeader(c.header_name);
    if (!standard_read_) {
      standard_ = standard();
      standard_read_ = true;
    }
    return standard_;
  }

 private:
  std::optional<std::string> fromHeader(const std::string& name) const {
    const std::string* v = r_.header(name);
    if (v == nullptr) return std::nullopt;
    std::string t = Poco::trim(*v);
    if (hasBearerScheme(t)) t = Poco::trim(t.substr(7));
    if (t.empty()) return std::nullopt;
    return t;
  }

  std::optional<std::string> standard() {
    if (const std::string* auth = r_.header("Authorization");
        auth != nullptr && hasBearerScheme(*auth)) {
      std::string t = Poco::trim(auth->substr(7));
      if (!t.empty()) return t;
    }
    if (const std::string* auth = r_.header("Authorization");
        auth != nullptr && hasDpopScheme(*auth)) {
      std::string t = Poco::trim(auth->substr(5));
      if (!t.empty()) {
        dpop_ = true;
        return t;
      }
    }
    if (r_.method == "POST" && isFormContentType(r_.content_type) && !r_.body.empty()) {
      FormDecodeResult form = decodeForm(r_.body, {});
      if (form.error.empty()) {
        for (const auto& [k, v] : form.params) {
          if (k == "access_token" && !v.empty()) return v;
        }
      }
    }
    return std::nullopt;
  }

  const HttpRequestData& r_;
  std::optional<std::string> named_;
  std::optional<std::string> standard_;
  bool standard_read_ = false;
  bool dpop_ = false;
};

ResourceGuard::ResourceGuard(const ResourceServerConfig& config, const TokenValidator& validator,
                             const Clock& clock, const SessionCookies* sessions,
                             AudienceOrigins origins)
    : config_(config),
      validator_(validator),
      clock_(clock),
      sessions_(sessions),
      origins_(std::move(origins)) {}

const OidcClientConfig* ResourceGuard::client(const std::string& id) const {
  for (const auto& c : config_.clients) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

GuardResult::Kind ResourceGuard::senderOf(const Subject& s, const std::string& token,
                                          const RequestOrigin& req, int64_t now,
                                          GuardResult& out) const {
  if (dpop_ == nullptr) {  // no verifier: only unbound bearer tokens pass
    if (s.jkt.empty() && !out.dpop_scheme) return GuardResult::Kind::kAuthenticated;
    out.description = "DPoP is not available here";
    return GuardResult::Kind::kInvalid;
  }
  auto refused = dpop_->checkSender(s.jkt, out.dpop_scheme, *req.request, req.method,
                                    req.origin() + req.path, token, now, out.realm);
  if (!refused) return GuardResult::Kind::kAuthenticated;
  out.description = refused->description;
  if (refused->code == ErrorCode::kServerError) return GuardResult::Kind::kServerError;
  out.refusal = std::move(*refused);
  return GuardResult::Kind::kInvalid;
}

GuardResult::Kind ResourceGuard::revocationOf(const Subject& s, int64_t now, std::string* why,
                                              bool from_session) const {
  if (revocations_ == nullptr || s.issuer != own_issuer_) return GuardResult::Kind::kAuthenticated;
  if (s.jti.empty()) {
    // idgate's access tokens all have one: a session cookie made before revocation was checked,
    // or another kind of idgate token (an ID token) presented as an access token.
    *why = from_session ? "the session predates revocation checks: present the token again"
                        : "not an access token of this server (no jti)";
    return GuardResult::Kind::kInvalid;
  }
  switch (revocations_->check(s.jti, now)) {
    case RevocationList::Verdict::kLive:
      return GuardResult::Kind::kAuthenticated;
    case RevocationList::Verdict::kRevoked:
      *why = "the token has been revoked";
      return GuardResult::Kind::kInvalid;
    case RevocationList::Verdict::kUnknown:
      break;
  }
  *why = "the revocation list could not be read";
  return GuardResult::Kind::kServerError;
}

const OidcClientConfig* ResourceGuard::select(const RequestOrigin& req, RequestTokens& tokens,
                                              const OidcClientConfig** fallback) const {
  *fallback = nullptr;
  auto active = [](const OidcClientConfig& c) {
    return c.inbound != OidcClientConfig::Propagation::kNone;
  };
  for (const auto& c : config_.clients) {
    if (!active(c) || c.auth_filter_ref.empty()) continue;
    for (const auto& f : config_.filters) {
      if (f.id == c.auth_filter_ref && filterMatches(f, req)) return *fallback = &c;
    }
  }
  // A signed token's issuer reads the same for every configuration: peek at it once. (An
  // encrypted one can only be read with each configuration's own key.)
  std::optional<std::string> jws_token, jws_iss;
  for (const auto& c : config_.clients) {
    if (!active(c) || !c.auth_filter_ref.empty()) continue;
    if (*fallback == nullptr) *fallback = &c;
    const std::optional<std::string>& token = tokens.get(c);
    if (!token) {
      // A session cookie of this configuration names it as well as a token's issuer would.
      if (!c.authn_session_disabled && sessions_ != nullptr &&
          req.request->cookie(SessionCookies::cookieName(c))) {
        return &c;
      }
      continue;
    }
    std::string iss;
    if (std::count(token->begin(), token->end(), '.') == 2) {
      if (jws_token != token) {
        jws_token = token;
        jws_iss = validator_.peekIssuer(c, *token);
      }
      iss = *jws_iss;
    } else {
      iss = validator_.peekIssuer(c, *token);
    }
    if (!iss.empty() && std::find(c.issuers.begin(), c.issuers.end(), iss) != c.issuers.end()) {
      return &c;
    }
  }
  return *fallback;
}

GuardResult ResourceGuard::authenticate(const RequestOrigin& req, const OidcClientConfig* only) {
  GuardResult r = decide(req, only);
  static const char* const kOutcomes[] = {"authenticated", "anonymous", "no_token",
                                          "invalid",       "forbidden", "server_error"};
  Metrics::get().resource_auth.add({kOutcomes[static_cast<int>(r.kind)]});
  return r;
}

GuardResult ResourceGuard::decide(const RequestOrigin& req, const OidcClientConfig* only) {
  auto& log = Poco::Logger::get("idgate.resource");
  GuardResult out;
  RequestTokens tokens(*req.request);
  const OidcClientConfig* fallback = only;
  const OidcClientConfig* c = only != nullptr ? only : select(req, tokens, &fallback);
  if (c == nullptr) {
    out.realm = "idgate";
    out.kind = GuardResult::Kind::kNoToken;
    out.description =
        config_.clients.empty()
            ? "no <openidConnectClient> is configured, so no bearer token is accepted: add one "
              "to conf/server.xml (docs/guides/resource-server.md)"
            : "no openidConnectClient applies to this request";
    log.notice(out.description + " (" + printable(req.method + " " + req.path) + ")");
    return out;
  }
  out.realm = c->realm_name.empty() ? "idgate" : c->realm_name;
  // A failure falls back to anonymous only when the request would get the same treatment
  // without the token's unverified hints (its iss, a cookie's name): otherwise a forged token
  // naming a `supported` configuration would turn a `required` one's 401 into a pass.
  const bool supported = c->inbound == OidcClientConfig::Propagation::kSupported &&
                         fallback != nullptr &&
                         fallback->inbound == OidcClientConfig::Propagation::kSupported;
  const std::optional<std::string> token = tokens.get(*c);
  out.dpop_scheme = c->header_name.empty() && tokens.dpop();
  const int64_t now = clock_.nowSeconds();
  // A session cookie is bound to the origin the client used and to the kind of request: the
  // audience rule differs between requests to idgate and those a proxy describes, so a cookie
  // minted on one must not pass the other.
  const std::string origin = (req.via_proxy ? "forwarded " : "direct ") + req.origin();
  const bool sessions = !c->authn_session_disabled && sessions_ != nullptr;
  // A revoked token from the cache or a session cookie: refused as a fresh validation would.
  auto refuse = [&]() -> GuardResult {
    if (out.kind == GuardResult::Kind::kInvalid && supported) {
      out.kind = GuardResult::Kind::kAnonymous;
    }
    std::string line = "openidConnectClient '" + c->id + "' refused a token: " + out.description;
    if (out.kind == GuardResult::Kind::kServerError) {
      log.error(line);
    } else {
      log.warning(line);
    }
    return out;
  };
  if (!token) {
    if (sessions) {
      if (auto s = sessions_->read(*c, *req.request, now, origin)) {
        out.kind = revocationOf(*s, now, &out.description, true);
        if (out.kind != GuardResult::Kind::kAuthenticated) return refuse();
        out.subject = std::move(*s);
        out.from_session = true;
        return out;
      }
    }
    out.kind = supported ? GuardResult::Kind::kAnonymous : GuardResult::Kind::kNoToken;
    out.description = "no token";
    return out;
  }
  std::string key;
  if (c->access_token_cache_enabled) {
    // The audience rule differs between direct and forwarded requests, not with the Host.
    key = c->id + (req.via_proxy ? "\nforwarded\n" : "\ndirect\n") +
          ValidatedTokenCache::tokenHash(*token);
    if (auto hit = cache_.get(key, now)) {
      out.kind = revocationOf(*hit, now, &out.description);
      if (out.kind == GuardResult::Kind::kAuthenticated) {
        out.kind = senderOf(*hit, *token, req, now, out);
      }
      if (out.kind != GuardResult::Kind::kAuthenticated) return refuse();
      out.subject = std::move(*hit);
      out.from_cache = true;
      // A session cookie would stand in for the proof: none for a sender-constrained token.
      if (sessions && out.subject.jkt.empty()) {
        out.set_cookie = sessions_->issue(*c, out.subject, req.scheme == "https", now, origin);
      }
      return out;
    }
  }
  Validation v =
      validator_.validate(*c, *token, req.via_proxy ? origins_.forwarded : origins_.direct, now);
  const char* refused = "' refused a token: ";
  if (v.kind == Validation::Kind::kOk) {
    GuardResult::Kind k = revocationOf(v.subject, now, &v.description);
    if (k == GuardResult::Kind::kAuthenticated) {
      k = senderOf(v.subject, *token, req, now, out);
      if (k != GuardResult::Kind::kAuthenticated) v.description = out.description;
    }
    if (k == GuardResult::Kind::kInvalid) v.kind = Validation::Kind::kInvalid;
    if (k == GuardResult::Kind::kServerError) v.kind = Validation::Kind::kServerError;
  }
  if (v.kind == Validation::Kind::kOk && mapping_) {
    std::string reason;
    GuardResult::Kind k = mapping_(v.subject, &reason);
    if (k != GuardResult::Kind::kAuthenticated) {
      v.kind = k == GuardResult::Kind::kForbidden ? Validation::Kind::kForbidden
                                                  : Validation::Kind::kServerError;
      v.description = reason;
      refused = "': subject mapping refused: ";
    }
  }
  switch (v.kind) {
    case Validation::Kind::kOk:
      out.kind = GuardResult::Kind::kAuthenticated;
      out.subject = std::move(v.subject);
      // A token that may be used once must not be served again from the cache.
      if (c->access_token_cache_enabled && !(v.has_jti && !c->token_reuse)) {
        int64_t until = std::min(now + c->access_token_cache_timeout_s,
                                 out.subject.expires_at + c->clock_skew_s);
        cache_.put(key, out.subject, until);
      }
      // A session cookie would stand in for the proof: none for a sender-constrained token.
      if (sessions && out.subject.jkt.empty()) {
        out.set_cookie = sessions_->issue(*c, out.subject, req.scheme == "https", now, origin);
      }
      return out;
    case Validation::Kind::kForbidden:
      out.kind = GuardResult::Kind::kForbidden;
      break;
    case Validation::Kind::kServerError:
      out.kind = GuardResult::Kind::kServerError;
      break;
    case Validation::Kind::kInvalid:
      out.kind = supported ? GuardResult::Kind::kAnonymous : GuardResult::Kind::kInvalid;
      break;
  }
  out.description = v.description;
  std::string line = "openidConnectClient '" + c->id + refused + printable(v.description);
  if (out.kind == GuardResult::Kind::kServerError) {
    log.error(line);
  } else {
    log.warning(line + (out.kind == GuardResult::Kind::kAnonymous
                            ? " (inboundPropagation=supported: continuing unauthenticated)"
                            : ""));
  }
  return out;
}

HttpResponseData challengeResponse(const GuardResult& r) {
  ApiError error{ErrorCode::kServerError, "the token could not be checked"};
  error.bearer_realm = r.realm;
  error.dpop_scheme = r.dpop_scheme;
  if (r.kind == GuardResult::Kind::kInvalid && r.refusal) {
    HttpResponseData res = noStore(errorResponse(*r.refusal));
    res.log_note = "auth=" + printable(r.description);
    return res;
  }
  switch (r.kind) {
    case GuardResult::Kind::kForbidden:
      error.code = ErrorCode::kAccessDenied;
      error.description = r.description;
      break;
    case GuardResult::Kind::kServerError:
      break;
    case GuardResult::Kind::kInvalid:
      error.code = ErrorCode::kInvalidToken;
      error.description = r.description;
      break;
    default:  // no token: no error code in the challenge (RFC 6750 §3.1)
      error.code = ErrorCode::kBearerRequired;
      error.description = r.description.empty() || r.description == "no token"
                              ? "a bearer token is required"
                              : r.description;
      break;
  }
  HttpResponseData res = noStore(errorResponse(error));
  res.log_note = "auth=" + printable(r.description);
  return res;
}

}  // namespace idgate
