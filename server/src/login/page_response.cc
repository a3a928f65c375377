#include "login/page_response.h"

#include <Poco/URI.h>

#include "crypto/random.h"
#include "http/form_decoder.h"
#include "login/login_cookie.h"

namespace idgate {

std::string cspSource(const std::string& url) {
  try {
    Poco::URI u(url);
    if (u.getScheme() == "http" || u.getScheme() == "https") {
      std::string out = u.getScheme() + "://" + u.getHost();
      if (u.getHost().find(':') != std::string::npos)
        out = u.getScheme() + "://[" + u.getHost() + "]";
      if (u.getSpecifiedPort() == 0) return out;
      return out + ":" + std::to_string(u.getSpecifiedPort());
    }
    return u.getScheme() + ":";
  } catch (...) {
    return "";
  }
}

HttpResponseData htmlPage(int status, std::string html, const std::string& form_target,
                          const std::string& script_nonce) {
  HttpResponseData r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  std::string target = cspSource(form_target);
  std::string csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'" +
                    (target.empty() ? std::string() : " " + target) +
                    "; frame-ancestors 'none'; base-uri 'none'";
  if (!script_nonce.empty()) csp += "; script-src 'nonce-" + script_nonce + "'";
  r.headers.emplace_back("Content-Security-Policy", csp);
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

std::variant<FormParams, HttpResponseData> pageParams(const PageTemplates& pages,
                                                      const HttpRequestData& req) {
  if (req.method == "POST" && !isFormContentType(req.content_type)) {
    return errorPage(pages,
                     {ErrorCode::kInvalidRequest,
                      "a POST to " + req.path + " must be application/x-www-form-urlencoded"});
  }
  FormDecodeResult form = decodeForm(req.method == "POST" ? req.body : req.query, {});
  if (!form.error.empty()) return errorPage(pages, {ErrorCode::kInvalidRequest, form.error});
  return std::move(form.params);
}

std::optional<HttpResponseData> resendAsGet(const HttpRequestData& req) {
  if (req.method != "POST" || !isFormContentType(req.content_type) || req.body.size() > 8192 ||
      req.cookie(LoginCookie::kSession) || !decodeForm(req.body, {}).error.empty()) {
    return std::nullopt;
  }
  HttpResponseData r;
  r.status = 303;
  r.content_type.clear();
  r.headers.emplace_back("Location", req.path + "?" + req.body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

HttpResponseData errorPage(const PageTemplates& pages, const ApiError& error, int status) {
  HttpResponseData r =
      htmlPage(status, pages.render("error.html", {{"assets", "/oauth2/assets"},
                                                   {"error", errorName(error.code)},
                                                   {"description", error.description}}));
  r.log_note = std::string("error=") + errorName(error.code);
  return r;
}

HttpResponseData authorizationResponse(
    const PageTemplates& pages, const std::string& redirect_uri, const std::string& response_mode,
    const std::vector<std::pair<std::string, std::string>>& params) {
  if (response_mode == "form_post") {
    std::string inputs;
    for (const auto& [k, v] : params) {
      inputs +=
          "<input type=\"hidden\" name=\"" + htmlEscape(k) + "\" value=\"" + htmlEscape(v) + "\">";
    }
    const std::string nonce = crypto::randomToken(16);
    return htmlPage(200,
                    pages.render("form_post.html", {{"assets", "/oauth2/assets"},
                                                    {"redirect_uri", redirect_uri},
                                                    {"inputs", inputs},
                                                    {"script_nonce", nonce}}),
                    redirect_uri, nonce);
  }
  std::string location = redirect_uri;
  char sep = location.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    location += sep + percentEncode(k) + "=" + percentEncode(v);
    sep = '&';
  }
  HttpResponseData r;
  r.status = 303;
  r.content_type.clear();
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

HttpResponseData authorizationError(const PageTemplates& pages, const std::string& redirect_uri,
                                    const std::string& response_mode, const ApiError& error,
                                    const std::string& state, const std::string& issuer) {
  // RFC 6749 §4.1.2.1: error_description is printable ASCII without " and \.
  std::string description;
  for (char c : error.description) {
    if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') description += c;
  }
  std::vector<std::pair<std::string, std::string>> params = {{"error", errorName(error.code)},
                                                             {"error_description", description}};
  if (!state.empty()) params.emplace_back("state", state);
  params.emplace_back("iss", issuer);
  HttpResponseData r = authorizationResponse(pages, redirect_uri, response_mode, params);
  r.log_note = std::string("error=") + errorName(error.code);
  return r;
}

}  // namespace idgate
