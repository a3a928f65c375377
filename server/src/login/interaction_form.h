// A page waiting for the user (login, consent, logout confirmation) is a pending request row
// bound to the browser that opened it (the idgate_browser cookie) and to a CSRF token its form
// carries: made here, and checked here when the form comes back.
#pragma once

#include <string>
#include <variant>

#include "http/form_decoder.h"
#include "http/http_exchange.h"
#include "login/login_context.h"

namespace idgate {

struct Interaction {
  std::string ix;  ///< the random id the form carries (the row holds its hash)
  PendingRequest row;
};

/// A new pending row of `kind` for this browser; sets the browser cookie in `cookies` when the
/// browser had none.
Interaction newInteraction(LoginContext& ctx, const HttpRequestData& request,
                           const std::string& kind, const std::string& client_id,
                           const std::string& request_json, HeaderList& cookies);

struct CheckedForm {
  Interaction interaction;
  FormDecodeResult form;
};

/// The submitted form's pending row of `kind` after the checks (a form body, an unexpired
/// row, a CSRF token that matches, from the browser it was made for), or the page refusing it
/// (400 expired, 403 CSRF).
std::variant<CheckedForm, HttpResponseData> checkInteractionForm(LoginContext& ctx,
                                                                 const HttpRequestData& request,
                                                                 const std::string& kind);

}  // namespace idgate
