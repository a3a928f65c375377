#include "login/login_flow.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <idgate/jose/json.h>

#include <algorithm>

#include "common/json_writer.h"
#include "common/split.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "http/form_decoder.h"
#include "login/page_response.h"
#include "oauth/authorization_request.h"

namespace idgate {
namespace {

constexpr const char* kAssets = "/oauth2/assets";
constexpr const char* kWrongCredentials = "Wrong username or password.";
/// The two kinds of page a flow waits on: a login form works only as a login form, a consent
/// form only as a consent form.
constexpr const char* kLoginStage = "login";
constexpr const char* kConsentStage = "consent";

bool secure(const HttpRequestData& r) { return r.scheme == "https"; }

HttpResponseData withCookies(HttpResponseData r, const HeaderList& cookies) {
  for (const auto& c : cookies) r.headers.push_back(c);
  return r;
}

/// The parameters of a pushed request, stored as a JSON object of strings.
std::optional<Params> storedParams(const std::string& json) {
  auto j = jose::parseJson(json);
  if (!j || !j->isObject()) return std::nullopt;
  Params out;
  for (const auto& [k, v] : j->members()) {
    if (!v.isString()) return std::nullopt;
    out.emplace_back(k, v.str());
  }
  return out;
}

/// What each scope means to the user, for the consent page.
std::string scopeInWords(const std::string& scope) {
  if (scope == "openid") return "Know who you are (your user identifier)";
  if (scope == "profile") return "See your profile: name, username, picture, locale";
  if (scope == "email") return "See your email address";
  if (scope == "address") return "See your postal address";
  if (scope == "phone") return "See your phone number";
  if (scope == "offline_access") return "Keep access while you are not signed in";
  return "Use the permission \"" + scope + "\"";
}

std::string displayName(const Client& client) {
  const std::string& name = client.metadata().client_name;
  return name.empty() ? client.client_id : name;
}

}  // namespace

std::optional<LoginSession> LoginFlow::currentSession(const HttpRequestData& request) {
  auto id = ctx_.cookie.read(request);
  if (!id) return std::nullopt;
  return ctx_.sessions.find(crypto::sha256Hex(*id), ctx_.clock.nowSeconds());
}

HttpResponseData LoginFlow::redirectError(const AuthorizationRequest& ar, ErrorCode code,
                                          const std::string& description, HeaderList cookies) {
  return withCookies(authorizationError(ctx_.pages, ar.redirect_uri, ar.response_mode,
                                        ApiError{code, description}, ar.state, ctx_.issuer),
                     cookies);
}

HttpResponseData LoginFlow::authorize(const HttpRequestData& req) {
  if (auto again = resendAsGet(req)) return *again;
  auto decoded = pageParams(ctx_.pages, req);
  if (auto* page = std::get_if<HttpResponseData>(&decoded)) return *page;
  Params params = std::move(std::get<FormParams>(decoded));
  const std::string client_id = formParam(params, "client_id").value_or("");
  const int64_t now = ctx_.clock.nowSeconds();
  bool pushed = false;
  if (auto request_uri = formParam(params, "request_uri")) {
    // RFC 9126 §4: only the pushed parameters count; the request_uri is good once.
    if (client_id.empty()) {
      return errorPage(ctx_.pages,
                       {ErrorCode::kInvalidRequest, "client_id is required with request_uri"});
    }
    if (request_uri->rfind(kRequestUriPrefix, 0) != 0) {
      return errorPage(ctx_.pages, {ErrorCode::kInvalidRequestUri,
                                    "request_uri must be one the pushed authorization request "
                                    "endpoint gave out"});
    }
    auto pushed_request = ctx_.pending.take(crypto::sha256Hex(*request_uri), "par", now);
    if (!pushed_request) {
      return errorPage(ctx_.pages,
                       {ErrorCode::kInvalidRequestUri,
                        "request_uri is unknown, used or expired (each is good once, for 60 "
                        "seconds): push the authorization request again"});
    }
    if (pushed_request->client_id != client_id) {
      return errorPage(ctx_.pages,
                       {ErrorCode::kInvalidRequestUri, "request_uri was pushed by another client"});
    }
    auto stored = storedParams(pushed_request->request_json);
    if (!stored)
      return errorPage(ctx_.pages, {ErrorCode::kServerError, "stored request unreadable"}, 500);
    params = std::move(*stored);
    pushed = true;
  }
  std::optional<Client> client;
  if (!client_id.empty() && client_id.size() <= 255) client = ctx_.clients.find(client_id);
  auto checked = checkAuthorizationRequest(params, client_id, client ? &*client : nullptr,
                                           ctx_.config, pushed);
  if (auto* refused = std::get_if<AuthorizationRefusal>(&checked)) {
    if (!refused->redirectable) {
      return errorPage(ctx_.pages, refused->error,
                       refused->error.code == ErrorCode::kServerError ? 500 : 400);
    }
    return authorizationError(ctx_.pages, refused->redirect_uri, refused->response_mode,
                              refused->error, refused->state, ctx_.issuer);
  }
  const auto& ar = std::get<AuthorizationRequest>(checked);
  return proceed(req, ar, *client, currentSession(req), false, {}, nullptr);
}

HttpResponseData LoginFlow::proceed(const HttpRequestData& req, const AuthorizationRequest& ar,
                                    const Client& client,
                                    const std::optional<LoginSession>& session, bool fresh,
                                    HeaderList cookies, const Interaction* interaction) {
  const int64_t now = ctx_.clock.nowSeconds();
  bool need_login = !session;
  if (session && !fresh) {
    if (ar.hasPrompt("login")) need_login = true;
    // max_age=0 is prompt=login (OIDC Core §3.1.2.1), even within the second of the sign-in.
    if (ar.max_age && (*ar.max_age == 0 || now - session->auth_time > *ar.max_age)) {
      need_login = true;
    }
  }
  if (need_login) {
    if (ar.hasPrompt("none")) {
      return redirectError(ar, ErrorCode::kLoginRequired,
                           session ? "the sign-in is older than max_age and prompt=none forbids "
                                     "asking the user"
                                   : "the user is not signed in and prompt=none forbids asking",
                           cookies);
    }
    Interaction login = newInteraction(ctx_, req, kLoginStage, ar.client_id, ar.toJson(), cookies);
    return loginPage(req, ar, login, cookies, 200, "");
  }
  bool need_consent = ar.hasPrompt("consent");
  if (!need_consent) {
    auto remembered = ctx_.consents.find(session->subject, client.client_id);
    std::vector<std::string> allowed =
        remembered ? splitAny(*remembered, " ") : std::vector<std::string>{};
    for (const auto& s : ar.scopes) {
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) need_consent = true;
    }
  }
  if (need_consent) {
    if (ar.hasPrompt("none")) {
      return redirectError(ar, ErrorCode::kConsentRequired,
                           "the user has not allowed this client these scopes, and prompt=none "
                           "forbids asking",
                           cookies);
    }
    // The consent form is good only for the sign-in it was shown to.
    AuthorizationRequest bound = ar;
    bound.session_hash = session->session_hash;
    Interaction consent =
        newInteraction(ctx_, req, kConsentStage, ar.client_id, bound.toJson(), cookies);
    return consentPage(ar, client, *session, consent, cookies);
  }
  return issueCode(ar, *session, cookies, nullptr);
}

HttpResponseData LoginFlow::loginPage(const HttpRequestData& req, const AuthorizationRequest& ar,
                                      const Interaction& interaction, HeaderList cookies,
                                      int status, const std::string& message,
                                      const std::string& username) {
  (void)req;
  auto client = ctx_.clients.find(ar.client_id);
  std::string error_block;
  if (!message.empty()) {
    error_block = "<p class=\"error\" role=\"alert\">" + htmlEscape(message) + "</p>";
  }
  std::string html = ctx_.pages.render(
      "login.html", {{"assets", kAssets},
                     {"action", "/oauth2/login"},
                     {"client_name", client ? displayName(*client) : ar.client_id},
                     {"error_block", error_block},
                     {"ix", interaction.ix},
                     {"csrf_token", interaction.row.csrf},
                     {"username", username.empty() ? ar.login_hint : username}});
  HttpResponseData r = withCookies(htmlPage(status, html, ar.redirect_uri), cookies);
  r.log_note = "page=login client=" + ar.client_id;
  return r;
}

HttpResponseData LoginFlow::consentPage(const AuthorizationRequest& ar, const Client& client,
                                        const LoginSession& session, const Interaction& interaction,
                                        HeaderList cookies) {
  std::string items;
  for (const auto& s : ar.scopes) {
    items += "<li>" + htmlEscape(scopeInWords(s)) + " <code>" + htmlEscape(s) + "</code></li>";
  }
  std::string html = ctx_.pages.render("consent.html", {{"assets", kAssets},
                                                        {"action", "/oauth2/consent"},
                                                        {"client_name", displayName(client)},
                                                        {"username", session.username},
                                                        {"scope_list", items},
                                                        {"ix", interaction.ix},
                                                        {"csrf_token", interaction.row.csrf}});
  HttpResponseData r = withCookies(htmlPage(200, html, ar.redirect_uri), cookies);
  r.log_note = "page=consent client=" + ar.client_id;
  return r;
}

HttpResponseData LoginFlow::issueCode(const AuthorizationRequest& ar, const LoginSession& session,
                                      HeaderList cookies, const Interaction* interaction) {
  const int64_t now = ctx_.clock.nowSeconds();
  if (interaction != nullptr &&
      !ctx_.pending.take(interaction->row.id_hash, interaction->row.kind, now)) {
    // A second submission of the same form (a double click, another tab): the first one won.
    return withCookies(errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                              "this sign-in was already completed; go back to "
                                              "the application"}),
                       cookies);
  }
  const std::string code = crypto::randomToken(32);  // 256 bits
  AuthorizationCode c;
  c.code_hash = authorizationCodeHash(code);
  c.client_id = ar.client_id;
  c.redirect_uri = ar.redirect_uri;
  c.subject = session.subject;
  c.scope = ar.scopeString();
  c.nonce = ar.nonce;
  c.code_challenge = ar.code_challenge;
  c.dpop_jkt = ar.dpop_jkt;
  c.session_id = session.sid;
  c.auth_time = session.auth_time;
  c.expires_at = now + kCodeLifetimeSeconds;
  ctx_.codes.insert(c);
  std::vector<std::pair<std::string, std::string>> params = {{"code", code}};
  if (!ar.state.empty()) params.emplace_back("state", ar.state);
  params.emplace_back("iss", ctx_.issuer);
  HttpResponseData r = withCookies(
      authorizationResponse(ctx_.pages, ar.redirect_uri, ar.response_mode, params), cookies);
  r.log_note = "code issued client=" + ar.client_id;
  return r;
}

std::variant<LoginFlow::Step, HttpResponseData> LoginFlow::formStep(const HttpRequestData& req,
                                                                    const std::string& stage) {
  auto checked = checkInteractionForm(ctx_, req, stage);
  if (auto* page = std::get_if<HttpResponseData>(&checked)) return *page;
  CheckedForm& form = std::get<CheckedForm>(checked);
  auto ar = AuthorizationRequest::fromJson(form.interaction.row.request_json);
  auto client = ar ? ctx_.clients.find(ar->client_id) : std::nullopt;
  if (!ar || !client) {
    return errorPage(ctx_.pages,
                     {ErrorCode::kInvalidRequest, "the application of this sign-in is gone"});
  }
  // The client may have changed in the minutes the page waited: its redirect_uri still counts.
  const auto& uris = client->metadata().redirect_uris;
  if (std::find(uris.begin(), uris.end(), ar->redirect_uri) == uris.end()) {
    return errorPage(ctx_.pages,
                     {ErrorCode::kInvalidRequest, "redirect_uri '" + ar->redirect_uri +
                                                      "' is no longer registered for client '" +
                                                      ar->client_id + "'"});
  }
  return Step{std::move(form.interaction), *ar, *client, std::move(form.form)};
}

HttpResponseData LoginFlow::login(const HttpRequestData& req) {
  auto checked = formStep(req, kLoginStage);
  if (auto* page = std::get_if<HttpResponseData>(&checked)) return *page;
  Step& step = std::get<Step>(checked);
  const Params& p = step.form.params;
  const std::string username = formParam(p, "username").value_or("");
  const std::string password = formParam(p, "password").value_or("");
  if (username.empty() || password.empty()) {
    return loginPage(req, step.request, step.interaction, {}, 400,
                     "Enter your username and password.");
  }
  const std::string user_key = "user:" + Poco::toLower(username.substr(0, 255));
  const std::string addr_key = "addr:" + addressThrottleKey(req.remote_address);
  // The account counts an attempt before the password is checked (concurrent guesses at one
  // account count too); the address counts only failures, so many people behind one address
  // signing in at once are not taken for a guesser.
  int64_t wait = ctx_.throttle.retryAfterSeconds(addr_key);
  if (wait == 0) wait = ctx_.throttle.begin(user_key);
  if (wait > 0) {
    HttpResponseData r =
        loginPage(req, step.request, step.interaction, {}, 429,
                  "Too many failed sign-ins. Try again in " + std::to_string(wait) + " seconds.");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  UserAuthResult result;
  if (username.size() > 255 || password.size() > 1024) {
    result.kind = UserAuthResult::Kind::kDenied;
  } else {
    result =
        ctx_.users.authenticate(username, password,
                                UserSignInContext{step.request.client_id, step.request.acr_values,
                                                  step.request.login_hint});
  }
  if (result.kind == UserAuthResult::Kind::kError) {
    ctx_.throttle.cancel(user_key);  // not the user's failure; nor a reason to forget others
    Poco::Logger::get("idgate.login").error("sign-in could not be decided: " + result.reason);
    return loginPage(req, step.request, step.interaction, {}, 500,
                     "Sign-in is not available right now. Try again later.", username);
  }
  if (result.kind != UserAuthResult::Kind::kAuthenticated) {
    ctx_.throttle.begin(addr_key);  // a failure from this address
    Poco::Logger::get("idgate.login")
        .information("failed sign-in for client " + step.request.client_id + " from " +
                     req.remote_address);
    HttpResponseData r =
        loginPage(req, step.request, step.interaction, {}, 401, kWrongCredentials, username);
    r.log_note += " outcome=wrong_credentials";
    return r;
  }
  // The account's failures are forgotten (its password was given); the address's are not (one
  // good account must not reset guessing at others).
  ctx_.throttle.succeeded(user_key);
  if (!ctx_.pending.take(step.interaction.row.id_hash, kLoginStage, ctx_.clock.nowSeconds())) {
    return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                  "this sign-in page was already used; go back to the "
                                  "application and start again"});
  }

  // A new session (and cookie) at every sign-in: a session id planted before it is worthless.
  HeaderList cookies;
  const int64_t now = ctx_.clock.nowSeconds();
  if (auto old = currentSession(req)) {
    ctx_.sessions.remove(old->session_hash);
    ctx_.codes.removeForSession(old->sid);
  }
  const std::string id = crypto::randomToken(32);
  LoginSession s;
  s.session_hash = crypto::sha256Hex(id);
  s.sid = crypto::randomToken(16);
  s.subject = result.subject;
  s.username = username;
  s.claims_json = result.claims_json;
  // The username as preferred_username (profile scope) unless the authenticator said one.
  if (auto claims = jose::parseJson(result.claims_json);
      claims && claims->isObject() && !claims->get("preferred_username")) {
    std::string out = "{";
    for (const auto& [name, value] : claims->members()) {
      out += jsonQuote(name) + ":" + jose::toJsonText(value) + ",";
    }
    s.claims_json = out + "\"preferred_username\":" + jsonQuote(username) + "}";
  }
  s.acr = result.acr;
  s.amr_json = result.amr_json;
  s.auth_time = now;
  s.expires_at = now + ctx_.config.session_lifetime_s;
  ctx_.sessions.insert(s);
  cookies.emplace_back("Set-Cookie",
                       ctx_.cookie.issue(id, secure(req), ctx_.config.session_lifetime_s));
  Poco::Logger::get("idgate.login")
      .information("user " + s.subject + " signed in for client " + step.request.client_id);
  return proceed(req, step.request, step.client, s, true, cookies, nullptr);
}

HttpResponseData LoginFlow::consent(const HttpRequestData& req) {
  auto checked = formStep(req, kConsentStage);
  if (auto* page = std::get_if<HttpResponseData>(&checked)) return *page;
  Step& step = std::get<Step>(checked);
  auto session = currentSession(req);
  if (!session) {
    return errorPage(ctx_.pages, {ErrorCode::kLoginRequired,
                                  "your sign-in session has ended; go back to the application "
                                  "and sign in again"});
  }
  if (session->session_hash != step.request.session_hash) {
    // Signed out and in again (maybe as someone else) since the page was shown.
    return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                  "you signed in again since this page was shown; go back to "
                                  "the application and start again"});
  }
  const auto decision = formParam(step.form.params, "decision");
  if (!decision || (*decision != "allow" && *decision != "deny")) {
    return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest, "decision must be allow or deny"});
  }
  const int64_t now = ctx_.clock.nowSeconds();
  if (*decision == "deny") {
    if (!ctx_.pending.take(step.interaction.row.id_hash, kConsentStage, now)) {
      return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                    "this sign-in was already completed; go back to the "
                                    "application"});
    }
    return redirectError(step.request, ErrorCode::kUserDenied, "the user denied the request");
  }
  if (formParam(step.form.params, "remember").value_or("") == "yes") {
    auto remembered = ctx_.consents.find(session->subject, step.client.client_id);
    std::vector<std::string> scopes =
        remembered ? splitAny(*remembered, " ") : std::vector<std::string>{};
    for (const auto& s : step.request.scopes) {
      if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
    }
    std::string joined;
    for (const auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
    ctx_.consents.put(session->subject, step.client.client_id, joined, now);
  }
  return issueCode(step.request, *session, {}, &step.interaction);
}

}  // namespace idgate
