#include "common/oauth_error.h"

#include <algorithm>

#include "common/dpop_algorithms.h"
#include "common/json_writer.h"

namespace idgate {

const char* errorName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kUnsupportedMediaType:
    case ErrorCode::kPayloadTooLarge:
    case ErrorCode::kHeaderTooLarge:
      return "invalid_request";
    case ErrorCode::kInvalidClient:
      return "invalid_client";
    case ErrorCode::kUnauthorizedClient:
      return "unauthorized_client";
    case ErrorCode::kUnsupportedGrantType:
      return "unsupported_grant_type";
    case ErrorCode::kInvalidScope:
      return "invalid_scope";
    case ErrorCode::kInvalidGrant:
      return "invalid_grant";
    case ErrorCode::kTokenDenied:
      return "access_denied";
    case ErrorCode::kInvalidTarget:
      return "invalid_target";
    case ErrorCode::kInvalidClientMetadata:
      return "invalid_client_metadata";
    case ErrorCode::kUnsupportedResponseType:
      return "unsupported_response_type";
    case ErrorCode::kLoginRequired:
      return "login_required";
    case ErrorCode::kConsentRequired:
      return "consent_required";
    case ErrorCode::kUserDenied:
      return "access_denied";
    case ErrorCode::kRequestNotSupported:
      return "request_not_supported";
    case ErrorCode::kInvalidRequestUri:
      return "invalid_request_uri";
    case ErrorCode::kAdminUnauthorized:
    case ErrorCode::kConsoleUnauthorized:
      return "unauthorized";
    case ErrorCode::kConsoleForbidden:
      return "access_denied";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kTooManyRequests:
      return "too_many_requests";
    case ErrorCode::kServerError:
      return "server_error";
    case ErrorCode::kServiceUnavailable:
      return "temporarily_unavailable";
    case ErrorCode::kBadGateway:
      return "bad_gateway";
    case ErrorCode::kGatewayTimeout:
      return "gateway_timeout";
    case ErrorCode::kBearerRequired:
      return "unauthorized";
    case ErrorCode::kInvalidToken:
      return "invalid_token";
    case ErrorCode::kAccessDenied:
      return "access_denied";
    case ErrorCode::kInsufficientScope:
      return "insufficient_scope";
    case ErrorCode::kInvalidDpopProof:
      return "invalid_dpop_proof";
    case ErrorCode::kUseDpopNonce:
      return "use_dpop_nonce";
  }
  return "server_error";
}

namespace {

/// A quoted-string for a challenge parameter: quotes, backslashes and control characters are
/// dropped, so a description taken from a token cannot break the header.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

/// A resource's WWW-Authenticate value (RFC 6750 §3, RFC 9449 §7.1): the scheme the request
/// used, realm, the error code if any, and for DPoP the algorithms a proof may use.
std::string challenge(const ApiError& e, const std::string& code) {
  std::string out =
      (e.dpop_scheme || e.code == ErrorCode::kInvalidDpopProof || e.code == ErrorCode::kUseDpopNonce
           ? "DPoP realm="
           : "Bearer realm=") +
      quoted(e.bearer_realm);
  if (!code.empty()) out += ", error=\"" + code + "\"";
  if (!code.empty() && code != "insufficient_scope" && !e.description.empty()) {
    out += ", error_description=" + quoted(e.description);
  }
  if (e.dpop_scheme || e.code == ErrorCode::kInvalidDpopProof ||
      e.code == ErrorCode::kUseDpopNonce) {
    std::string algs;
    for (const auto& a : dpopAlgorithms()) algs += (algs.empty() ? "" : " ") + a;
    out += ", algs=\"" + algs + "\"";
  }
  return out;
}

}  // namespace

HttpError toHttp(const ApiError& error) {
  HttpError out{400, {}, {}};
  switch (error.code) {
    case ErrorCode::kTokenDenied:
      out.status = 403;
      break;
    case ErrorCode::kInvalidClient:
      out.status = 401;
      if (error.basic_challenge) {
        out.headers.emplace_back("WWW-Authenticate", "Basic realm=\"idgate\", charset=\"UTF-8\"");
      }
      break;
    case ErrorCode::kConsoleUnauthorized:
      out.status = 401;  // no challenge: a browser would put up its own password prompt
      break;
    case ErrorCode::kConsoleForbidden:
      out.status = 403;
      break;
    case ErrorCode::kAdminUnauthorized:
      out.status = 401;
      out.headers.emplace_back("WWW-Authenticate",
                               "Basic realm=\"idgate admin\", charset=\"UTF-8\"");
      break;
    case ErrorCode::kPayloadTooLarge:
      out.status = 413;
      break;
    case ErrorCode::kHeaderTooLarge:
      out.status = 431;
      break;
    case ErrorCode::kNotFound:
      out.status = 404;
      break;
    case ErrorCode::kMethodNotAllowed:
      out.status = 405;
      break;
    case ErrorCode::kConflict:
      out.status = 409;
      break;
    case ErrorCode::kTooManyRequests:
      out.status = 429;
      out.headers.emplace_back("Retry-After",
                               std::to_string(std::max<int64_t>(1, error.retry_after_s)));
      break;
    case ErrorCode::kServerError:
      out.status = 500;
      break;
    case ErrorCode::kServiceUnavailable:
      out.status = 503;
      break;
    case ErrorCode::kBadGateway:
      out.status = 502;
      break;
    case ErrorCode::kGatewayTimeout:
      out.status = 504;
      break;
    case ErrorCode::kBearerRequired:
      out.status = 401;
      out.headers.emplace_back("WWW-Authenticate", challenge(error, ""));
      break;
    case ErrorCode::kInvalidToken:
      out.status = 401;
      out.headers.emplace_back("WWW-Authenticate", challenge(error, "invalid_token"));
      break;
    case ErrorCode::kAccessDenied:
      out.status = 403;
      out.headers.emplace_back("WWW-Authenticate", challenge(error, ""));
      break;
    case ErrorCode::kInsufficientScope:
      out.status = 403;
      out.headers.emplace_back("WWW-Authenticate", challenge(error, "insufficient_scope") +
                                                       ", scope=" + quoted(error.bearer_scope));
      break;
    case ErrorCode::kInvalidDpopProof:
    case ErrorCode::kUseDpopNonce:
      // At a resource a DPoP challenge (RFC 9449 §7.1); at the token endpoint a plain 400.
      if (!error.bearer_realm.empty()) {
        out.status = 401;
        out.headers.emplace_back("WWW-Authenticate", challenge(error, errorName(error.code)));
      }
      break;
    default:
      out.status = 400;
      break;
  }
  if (!error.dpop_nonce.empty()) out.headers.emplace_back("DPoP-Nonce", error.dpop_nonce);
  JsonWriter w;
  w.field("error", errorName(error.code));
  if (!error.description.empty()) w.field("error_description", error.description);
  out.body = w.finish();
  return out;
}

}  // namespace idgate
