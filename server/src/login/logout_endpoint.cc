#include "login/logout_endpoint.h"

#include <Poco/Logger.h>
#include <idgate/jose/json.h>

#include <algorithm>

#include "common/json_writer.h"
#include "crypto/digest.h"
#include "http/form_decoder.h"
#include "login/interaction_form.h"
#include "login/page_response.h"

namespace idgate {
namespace {

constexpr const char* kAssets = "/oauth2/assets";

HttpResponseData signedOutPage(const PageTemplates& pages, const std::string& title,
                               const std::string& message, const HeaderList& cookies) {
  HttpResponseData r =
      htmlPage(200, pages.render("signed_out.html",
                                 {{"assets", kAssets}, {"title", title}, {"message", message}}));
  for (const auto& c : cookies) r.headers.push_back(c);
  return r;
}

}  // namespace

HttpResponseData LogoutEndpoint::logout(const HttpRequestData& req) {
  if (auto again = resendAsGet(req)) return *again;
  auto decoded = pageParams(ctx_.pages, req);
  if (auto* page = std::get_if<HttpResponseData>(&decoded)) return *page;
  const FormParams& p = std::get<FormParams>(decoded);
  const int64_t now = ctx_.clock.nowSeconds();

  std::string hint_client, hint_subject;
  if (auto hint = formParam(p, "id_token_hint")) {
    std::string why;
    // An expired ID token still says who and for which client (RP-Initiated Logout §2).
    auto claims = ctx_.verifier.verify(*hint, {"JWT", true, ctx_.skew_s}, now, &why);
    if (!claims) {
      return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                    "id_token_hint is not an ID token of this server: " + why});
    }
    hint_client = claims->getString("aud").value_or("");
    hint_subject = claims->getString("sub").value_or("");
  }
  std::string client_id = formParam(p, "client_id").value_or("");
  if (!hint_client.empty() && !client_id.empty() && client_id != hint_client) {
    return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                  "client_id differs from the audience of id_token_hint"});
  }
  if (client_id.empty()) client_id = hint_client;
  std::string target = formParam(p, "post_logout_redirect_uri").value_or("");
  const std::string state = formParam(p, "state").value_or("");
  if (!target.empty()) {
    if (client_id.empty()) {
      return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest,
                                    "post_logout_redirect_uri needs id_token_hint or client_id "
                                    "(to know whose registered URIs to compare with)"});
    }
    auto client = client_id.size() <= 255 ? ctx_.clients.find(client_id) : std::nullopt;
    const std::vector<std::string>* uris =
        client ? &client->metadata().post_logout_redirect_uris : nullptr;
    if (uris == nullptr || std::find(uris->begin(), uris->end(), target) == uris->end()) {
      return errorPage(ctx_.pages,
                       {ErrorCode::kInvalidRequest,
                        "post_logout_redirect_uri '" + target + "' is not registered for client '" +
                            client_id + "' (post_logout_redirect_uris, compared exactly)"});
    }
  }
  auto id = ctx_.cookie.read(req);
  auto session = id ? ctx_.sessions.find(crypto::sha256Hex(*id), now) : std::nullopt;
  if (!session || (!hint_subject.empty() && hint_subject == session->subject)) {
    return end(req, target, state, {});
  }
  // No proof the application speaks for this user: ask the user.
  HeaderList cookies;
  std::string request_json =
      JsonWriter().field("post_logout_redirect_uri", target).field("state", state).finish();
  Interaction i = newInteraction(ctx_, req, "logout", client_id, request_json, cookies);
  HttpResponseData r =
      htmlPage(200,
               ctx_.pages.render("logout.html", {{"assets", kAssets},
                                                 {"action", "/oauth2/logout/confirm"},
                                                 {"username", session->username},
                                                 {"ix", i.ix},
                                                 {"csrf_token", i.row.csrf}}),
               target);
  for (const auto& c : cookies) r.headers.push_back(c);
  r.log_note = "page=logout";
  return r;
}

HttpResponseData LogoutEndpoint::confirm(const HttpRequestData& req) {
  auto checked = checkInteractionForm(ctx_, req, "logout");
  if (auto* page = std::get_if<HttpResponseData>(&checked)) return *page;
  CheckedForm& f = std::get<CheckedForm>(checked);
  if (!ctx_.pending.take(f.interaction.row.id_hash, "logout", ctx_.clock.nowSeconds())) {
    return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest, "this page was already used"});
  }
  auto stored = jose::parseJson(f.interaction.row.request_json);
  std::string target = stored ? stored->getString("post_logout_redirect_uri").value_or("") : "";
  std::string state = stored ? stored->getString("state").value_or("") : "";
  std::string decision = formParam(f.form.params, "decision").value_or("");
  if (decision == "stay") {
    return signedOutPage(ctx_.pages, "You are still signed in",
                         "Nothing was changed. You can close this page.", {});
  }
  if (decision != "logout") {
    return errorPage(ctx_.pages, {ErrorCode::kInvalidRequest, "decision must be logout or stay"});
  }
  return end(req, target, state, {});
}

HttpResponseData LogoutEndpoint::end(const HttpRequestData& req, const std::string& target,
                                     const std::string& state, HeaderList cookies) {
  if (auto id = ctx_.cookie.read(req)) {
    const std::string hash = crypto::sha256Hex(*id);
    if (auto s = ctx_.sessions.find(hash, ctx_.clock.nowSeconds())) {
      ctx_.sessions.remove(hash);
      int64_t codes = ctx_.codes.removeForSession(s->sid);
      Poco::Logger::get("idgate.login")
          .information("user " + s->subject + " signed out (" + std::to_string(codes) +
                       " unused codes withdrawn)");
    }
  }
  cookies.emplace_back("Set-Cookie",
                       LoginCookie::clear(LoginCookie::kSession, req.scheme == "https"));
  if (target.empty()) {
    HttpResponseData r =
        signedOutPage(ctx_.pages, "You are signed out", "You can close this page.", cookies);
    r.log_note = "signed out";
    return r;
  }
  std::vector<std::pair<std::string, std::string>> params;
  if (!state.empty()) params.emplace_back("state", state);
  HttpResponseData r = authorizationResponse(ctx_.pages, target, "query", params);
  for (const auto& c : cookies) r.headers.push_back(c);
  r.log_note = "signed out";
  return r;
}

}  // namespace idgate
