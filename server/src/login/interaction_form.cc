#include "login/interaction_form.h"

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "login/page_response.h"

namespace idgate {

Interaction newInteraction(LoginContext& ctx, const HttpRequestData& req, const std::string& kind,
                           const std::string& client_id, const std::string& request_json,
                           HeaderList& cookies) {
  std::string browser = req.cookie(LoginCookie::kBrowser).value_or("");
  if (browser.size() < 20 || browser.size() > 64) {
    browser = crypto::randomToken(24);
    cookies.emplace_back("Set-Cookie", LoginCookie::browser(browser, req.scheme == "https"));
  }
  Interaction i;
  i.ix = crypto::randomToken(24);
  i.row.id_hash = crypto::sha256Hex(i.ix);
  i.row.kind = kind;
  i.row.client_id = client_id;
  i.row.request_json = request_json;
  i.row.csrf = crypto::randomToken(24);
  i.row.browser_hash = crypto::sha256Hex(browser);
  i.row.expires_at = ctx.clock.nowSeconds() + kInteractionLifetimeSeconds;
  ctx.pending.insert(i.row);
  return i;
}

std::variant<CheckedForm, HttpResponseData> checkInteractionForm(LoginContext& ctx,
                                                                 const HttpRequestData& req,
                                                                 const std::string& kind) {
  if (!isFormContentType(req.content_type)) {
    return errorPage(ctx.pages, {ErrorCode::kInvalidRequest,
                                 "the form must be posted as application/x-www-form-urlencoded"});
  }
  CheckedForm out;
  out.form = decodeForm(req.body, {});
  if (!out.form.error.empty()) {
    return errorPage(ctx.pages, {ErrorCode::kInvalidRequest, out.form.error});
  }
  auto field = [&](const std::string& name) -> std::optional<std::string> {
    for (const auto& [k, v] : out.form.params) {
      if (k == name) return v;
    }
    return std::nullopt;
  };
  auto ix = field("ix");
  std::optional<PendingRequest> row;
  if (ix && ix->size() <= 64) {
    row = ctx.pending.find(crypto::sha256Hex(*ix), kind, ctx.clock.nowSeconds());
  }
  if (!row) {
    return errorPage(ctx.pages, {ErrorCode::kInvalidRequest,
                                 "this page has expired or was already used; go back to the "
                                 "application and start again"});
  }
  auto csrf = field("csrf_token");
  if (!csrf) {
    return errorPage(ctx.pages,
                     {ErrorCode::kInvalidRequest,
                      "the form's CSRF token is missing; reload the page from the application"},
                     403);
  }
  const std::string browser = req.cookie(LoginCookie::kBrowser).value_or("");
  // Both compared whole in constant time; & not && so neither answer is told by the time.
  bool csrf_ok = crypto::constantTimeEquals(*csrf, row->csrf);
  bool browser_ok = crypto::constantTimeEquals(crypto::sha256Hex(browser), row->browser_hash);
  if (!(csrf_ok & browser_ok)) {
    return errorPage(ctx.pages,
                     {ErrorCode::kInvalidRequest,
                      "the form's CSRF token does not belong to this browser's "
                      "sign-in; reload the page from the application"},
                     403);
  }
  out.interaction = Interaction{*ix, *row};
  return out;
}

}  // namespace idgate
