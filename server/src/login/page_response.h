// HTML answers of the interactive login: every page with its security headers (CSP without any
// external source, frame-ancestors 'none', no-store), the error page, and the authorization
// response to the client (a 303 redirect with the query, or the form_post page).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "http/form_decoder.h"
#include "http/http_exchange.h"
#include "login/page_templates.h"

namespace idgate {

/// `form_target`: a URL forms on the page (or the redirects after them) may go to besides this
/// server; `script_nonce`: the one inline script allowed.
HttpResponseData htmlPage(int status, std::string html, const std::string& form_target = "",
                          const std::string& script_nonce = "");

/// The error page (never a redirect): the error code and what to do.
HttpResponseData errorPage(const PageTemplates& pages, const ApiError& error, int status = 400);

/// RFC 6749 §4.1.2 / OAuth 2.0 Form Post Response Mode: `params` to `redirect_uri`.
HttpResponseData authorizationResponse(
    const PageTemplates& pages, const std::string& redirect_uri, const std::string& response_mode,
    const std::vector<std::pair<std::string, std::string>>& params);

/// The error response of RFC 6749 §4.1.2.1 with state and iss (RFC 9207).
HttpResponseData authorizationError(const PageTemplates& pages, const std::string& redirect_uri,
                                    const std::string& response_mode, const ApiError& error,
                                    const std::string& state, const std::string& issuer);

/// The parameters of a GET (query) or POST (form body) to a page endpoint, or the error page:
/// a POST must be a form, no parameter may repeat.
std::variant<FormParams, HttpResponseData> pageParams(const PageTemplates& pages,
                                                      const HttpRequestData& request);

/// A cross-site form POST (an application's auto-submitting form) comes without the
/// SameSite=Lax sign-in cookie, so the session would look absent; the same request as a GET
/// (a 303 to itself, a top-level navigation) comes with it. The redirect, for a POST without
/// the cookie whose form body is at most 8 KiB; nullopt: answer the request as it is.
std::optional<HttpResponseData> resendAsGet(const HttpRequestData& request);

/// The origin (scheme://host[:port]) of a URL, or its "scheme:" for a private-use scheme: what a
/// CSP source list names.
std::string cspSource(const std::string& url);

}  // namespace idgate
