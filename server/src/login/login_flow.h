// The authorization endpoint and the pages behind it (OIDC Core §3.1.2): the request is checked
// (or taken from its pushed copy), then the browser's sign-in session decides what comes next:
// the login page, the consent page, or the code (RFC 6749 §4.1.2). A flow waiting for the user
// is a pending "interaction" in the database, bound to the browser (a cookie) and to a CSRF
// token in its forms, so any node sharing the database can continue it.
#pragma once

#include <optional>
#include <variant>

#include "http/form_decoder.h"
#include "http/http_exchange.h"
#include "login/interaction_form.h"
#include "login/login_context.h"
#include "oauth/authorization_request.h"

namespace idgate {

class LoginFlow {
 public:
  explicit LoginFlow(LoginContext& context) : ctx_(context) {}

  /// GET or POST /oauth2/authorize. Store failures throw StoreError (the route answers 500).
  HttpResponseData authorize(const HttpRequestData& request);
  /// POST /oauth2/login: username, password (and ix, csrf_token).
  HttpResponseData login(const HttpRequestData& request);
  /// POST /oauth2/consent: decision=allow|deny, remember (and ix, csrf_token).
  HttpResponseData consent(const HttpRequestData& request);

 private:
  /// What a form submission carries, once checked.
  struct Step {
    Interaction interaction;
    AuthorizationRequest request;
    Client client;
    FormDecodeResult form;
  };

  /// After the request is good: login, consent or the code. `fresh`: the user just signed in.
  HttpResponseData proceed(const HttpRequestData& request, const AuthorizationRequest& ar,
                           const Client& client, const std::optional<LoginSession>& session,
                           bool fresh, HeaderList cookies, const Interaction* interaction);
  HttpResponseData loginPage(const HttpRequestData& request, const AuthorizationRequest& ar,
                             const Interaction& interaction, HeaderList cookies, int status,
                             const std::string& message, const std::string& username = "");
  HttpResponseData consentPage(const AuthorizationRequest& ar, const Client& client,
                               const LoginSession& session, const Interaction& interaction,
                               HeaderList cookies);
  HttpResponseData issueCode(const AuthorizationRequest& ar, const LoginSession& session,
                             HeaderList cookies, const Interaction* interaction);
  /// The form's interaction after the CSRF checks, or the page that refuses it.
  std::variant<Step, HttpResponseData> formStep(const HttpRequestData& request,
                                                const std::string& stage);
  std::optional<LoginSession> currentSession(const HttpRequestData& request);
  HttpResponseData redirectError(const AuthorizationRequest& ar, ErrorCode code,
                                 const std::string& description, HeaderList cookies = {});

  LoginContext& ctx_;
};

}  // namespace idgate
