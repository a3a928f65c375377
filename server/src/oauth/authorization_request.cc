#include "oauth/authorization_request.h"

#include <idgate/jose/json.h>

#include <algorithm>
#include <sstream>

#include "common/json_writer.h"
#include "http/form_decoder.h"
#include "oauth/pkce.h"
#include "oauth/redirect_uri.h"

namespace idgate {
namespace {

bool isScopeToken(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
  });
}

std::vector<std::string> splitSpaces(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string t; in >> t;) {
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

}  // namespace

const std::vector<std::string>& standardScopes() {
  static const std::vector<std::string> kScopes = {"openid",  "profile", "email",
                                                   "address", "phone",   "offline_access"};
  return kScopes;
}

bool AuthorizationRequest::hasScope(const std::string& s) const {
  return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
}

bool AuthorizationRequest::hasPrompt(const std::string& p) const {
  return std::find(prompt.begin(), prompt.end(), p) != prompt.end();
}

std::string AuthorizationRequest::scopeString() const { return joined(scopes); }

std::string AuthorizationRequest::toJson() const {
  JsonWriter w;
  w.field("client_id", client_id)
      .field("redirect_uri", redirect_uri)
      .field("response_mode", response_mode)
      .field("scope", scopeString())
      .field("state", state)
      .field("nonce", nonce)
      .field("code_challenge", code_challenge)
      .field("dpop_jkt", dpop_jkt)
      .field("prompt", joined(prompt))
      .field("login_hint", login_hint)
      .field("acr_values", acr_values)
      .field("pushed", pushed)
      .field("session", session_hash);
  if (max_age) w.field("max_age", *max_age);
  return w.finish();
}

std::optional<AuthorizationRequest> AuthorizationRequest::fromJson(const std::string& json) {
  auto j = jose::parseJson(json);
  if (!j || !j->isObject()) return std::nullopt;
  AuthorizationRequest r;
  auto s = [&](const char* name) { return j->getString(name).value_or(""); };
  r.client_id = s("client_id");
  r.redirect_uri = s("redirect_uri");
  r.response_mode = s("response_mode");
  r.scopes = splitSpaces(s("scope"));
  r.state = s("state");
  r.nonce = s("nonce");
  r.code_challenge = s("code_challenge");
  r.dpop_jkt = s("dpop_jkt");
  r.prompt = splitSpaces(s("prompt"));
  r.login_hint = s("login_hint");
  r.acr_values = s("acr_values");
  r.session_hash = s("session");
  if (const jose::Json* p = j->get("pushed")) r.pushed = p->boolean();
  if (const jose::Json* m = j->get("max_age"); m != nullptr && m->isNumber()) {
    r.max_age = static_cast<int64_t>(m->number());
  }
  if (r.client_id.empty() || r.redirect_uri.empty()) return std::nullopt;
  return r;
}

std::variant<AuthorizationRequest, AuthorizationRefusal> checkAuthorizationRequest(
    const Params& params, const std::string& client_id, const Client* client,
    const LoginConfig& config, bool pushed) {
  auto page = [](ErrorCode code, std::string why) {
    return AuthorizationRefusal{ApiError{code, std::move(why)}, false, "", "query", ""};
  };
  if (client_id.empty()) {
    return page(ErrorCode::kInvalidRequest,
                "client_id is required: the application that sent you here is misconfigured");
  }
  if (client == nullptr) {
    return page(ErrorCode::kInvalidClient,
                "client_id '" + client_id + "' is not a registered client of this server");
  }
  const ClientMetadataView& meta = client->metadata();
  if (!meta.readable) {
    return page(ErrorCode::kServerError, "the client's stored registration cannot be read");
  }
  auto redirect_uri = formParam(params, "redirect_uri");
  if (!redirect_uri) {
    return page(ErrorCode::kInvalidRequest,
                "redirect_uri is required (one of the client's registered redirect_uris)");
  }
  // RFC 9700 §2.1: exact string comparison, nothing else.
  if (std::find(meta.redirect_uris.begin(), meta.redirect_uris.end(), *redirect_uri) ==
      meta.redirect_uris.end()) {
    return page(ErrorCode::kInvalidRequest, "redirect_uri '" + *redirect_uri +
                                                "' is not registered for client '" + client_id +
                                                "' (it must match a registered URI exactly)");
  }

  if (auto why = redirectUriProblem(*redirect_uri)) {
    return page(ErrorCode::kInvalidRequest,
                "redirect_uri '" + *redirect_uri + "' " + *why +
                    ": it was registered under older rules; update the client's redirect_uris");
  }

  AuthorizationRefusal back{{ErrorCode::kInvalidRequest, ""},
                            !pushed,
                            *redirect_uri,
                            "query",
                            formParam(params, "state").value_or("")};
  auto refuse = [&](ErrorCode code, std::string why) {
    back.error = ApiError{code, std::move(why)};
    return back;
  };
  AuthorizationRequest r;
  r.client_id = client->client_id;
  r.redirect_uri = *redirect_uri;
  r.state = back.state;
  r.pushed = pushed;
  if (r.state.size() > 2048) return refuse(ErrorCode::kInvalidRequest, "state is over 2048 bytes");
  if (auto mode = formParam(params, "response_mode")) {
    if (*mode != "query" && *mode != "form_post") {
      return refuse(ErrorCode::kInvalidRequest,
                    "response_mode '" + *mode + "' is not supported (supported: query, form_post)");
    }
    r.response_mode = *mode;
    back.response_mode = *mode;
  }
  if (formParam(params, "request")) {
    return refuse(ErrorCode::kRequestNotSupported,
                  "request objects are not supported; send the parameters themselves, or push "
                  "them to the pushed_authorization_request_endpoint");
  }
  auto response_type = formParam(params, "response_type");
  if (!response_type) return refuse(ErrorCode::kInvalidRequest, "response_type is required (code)");
  if (*response_type != "code") {
    return refuse(ErrorCode::kUnsupportedResponseType,
                  "response_type '" + *response_type + "' is not supported (supported: code)");
  }
  if (!meta.response_type_code || !meta.allowsGrant("authorization_code")) {
    return refuse(ErrorCode::kUnauthorizedClient,
                  "client '" + client_id +
                      "' is not registered for the authorization code flow (grant_types "
                      "authorization_code, response_types code)");
  }
  // Scope: each token must be one idgate knows or one the client registered.
  const std::string scope = formParam(params, "scope").value_or("");
  const std::vector<std::string> registered = splitSpaces(meta.scope);
  for (const auto& s : splitSpaces(scope)) {
    if (!isScopeToken(s)) return refuse(ErrorCode::kInvalidScope, "scope has a malformed token");
    if (s == "offline_access" && !meta.allowsGrant("refresh_token")) {
      // OIDC Core §11: asks for a refresh token; a client not registered for refresh_token
      // gets none, and the request is served without it rather than refused.
      continue;
    }
    if (s == "idgate:admin") {
      // The admin API's scope is a client's own (client_credentials), never a user's.
      return refuse(ErrorCode::kInvalidScope,
                    "scope 'idgate:admin' is granted only to clients themselves "
                    "(client_credentials), never through a user's sign-in");
    }
    const auto& std_scopes = standardScopes();
    if (std::find(std_scopes.begin(), std_scopes.end(), s) == std_scopes.end() &&
        std::find(registered.begin(), registered.end(), s) == registered.end()) {
      return refuse(ErrorCode::kInvalidScope,
                    "scope '" + s + "' is not allowed for this client (allowed: " +
                        joined(std_scopes) + (registered.empty() ? "" : " " + meta.scope) + ")");
    }
    r.scopes.push_back(s);
  }
  if (r.scopes.empty()) {
    return refuse(ErrorCode::kInvalidScope, "scope is required (for sign-in: openid)");
  }
  // PKCE (RFC 7636), S256 only.
  auto challenge = formParam(params, "code_challenge");
  auto method = formParam(params, "code_challenge_method");
  if (method && *method != "S256") {
    return refuse(ErrorCode::kInvalidRequest,
                  "code_challenge_method '" + *method + "' is not accepted; use S256");
  }
  if (challenge) {
    if (!method) {
      return refuse(ErrorCode::kInvalidRequest,
                    "code_challenge_method=S256 is required with code_challenge (plain is not "
                    "accepted)");
    }
    if (!isValidS256Challenge(*challenge)) {
      return refuse(ErrorCode::kInvalidRequest,
                    "code_challenge must be the 43-character base64url SHA-256 of the verifier");
    }
    r.code_challenge = *challenge;
  } else if (method) {
    return refuse(ErrorCode::kInvalidRequest, "code_challenge_method without code_challenge");
  } else if (meta.isPublic() || config.require_pkce) {
    return refuse(ErrorCode::kInvalidRequest,
                  std::string("code_challenge is required (PKCE with S256) for ") +
                      (meta.isPublic() ? "public clients" : "every client of this server"));
  }
  // RFC 9449 §10: the code is bound to this DPoP key (a thumbprint has a challenge's form).
  if (auto jkt = formParam(params, "dpop_jkt")) {
    if (!isValidS256Challenge(*jkt)) {
      return refuse(ErrorCode::kInvalidRequest,
                    "dpop_jkt must be the 43-character base64url SHA-256 thumbprint (RFC 7638) of "
                    "the DPoP key");
    }
    r.dpop_jkt = *jkt;
  }
  if (!pushed && (config.require_par || meta.require_par)) {
    return refuse(ErrorCode::kInvalidRequest,
                  std::string("pushed authorization requests are required ") +
                      (meta.require_par ? "for this client" : "by this server") +
                      ": POST the parameters to the pushed_authorization_request_endpoint "
                      "first, then send request_uri and client_id here");
  }
  r.nonce = formParam(params, "nonce").value_or("");
  if (r.nonce.size() > 512) return refuse(ErrorCode::kInvalidRequest, "nonce is over 512 bytes");
  r.prompt = splitSpaces(formParam(params, "prompt").value_or(""));
  for (const auto& p : r.prompt) {
    if (p != "none" && p != "login" && p != "consent") {
      return refuse(ErrorCode::kInvalidRequest,
                    "prompt '" + p + "' is not supported (supported: none, login, consent)");
    }
  }
  if (r.hasPrompt("none") && r.prompt.size() > 1) {
    return refuse(ErrorCode::kInvalidRequest, "prompt none cannot be combined with other values");
  }
  if (auto max_age = formParam(params, "max_age")) {
    if (max_age->empty() || max_age->size() > 9 ||
        !std::all_of(max_age->begin(), max_age->end(),
                     [](unsigned char c) { return c >= '0' && c <= '9'; })) {
      return refuse(ErrorCode::kInvalidRequest, "max_age must be a whole number of seconds");
    }
    r.max_age = std::stoll(*max_age);
  }
  r.login_hint = formParam(params, "login_hint").value_or("");
  r.acr_values = formParam(params, "acr_values").value_or("");
  if (r.login_hint.size() > 255 || r.acr_values.size() > 512) {
    return refuse(ErrorCode::kInvalidRequest, "login_hint or acr_values is too long");
  }
  return r;
}

}  // namespace idgate
