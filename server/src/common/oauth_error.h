// Every error the HTTP API returns, and the one function that maps it to a response.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace idgate {

enum class ErrorCode {
  kInvalidRequest,         ///< 400 invalid_request (RFC 6749 §5.2)
  kInvalidClient,          ///< 401 invalid_client
  kUnauthorizedClient,     ///< 400 unauthorized_client
  kUnsupportedGrantType,   ///< 400 unsupported_grant_type
  kInvalidScope,           ///< 400 invalid_scope
  kInvalidGrant,           ///< 400 invalid_grant (a grant's assertion or code is not good)
  kTokenDenied,            ///< 403 access_denied: a token customizer refused the token
  kInvalidTarget,          ///< 400 invalid_target (RFC 8707)
  kInvalidClientMetadata,  ///< 400 invalid_client_metadata (RFC 7591)
  // The authorization endpoint's errors (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6), sent to the
  // client's redirect_uri (400 where a JSON body carries one: PAR).
  kUnsupportedResponseType,  ///< 400 unsupported_response_type
  kLoginRequired,            ///< 400 login_required (prompt=none, no session)
  kConsentRequired,          ///< 400 consent_required (prompt=none, no remembered consent)
  kUserDenied,               ///< 400 access_denied: the user said no
  kRequestNotSupported,      ///< 400 request_not_supported (request objects)
  kInvalidRequestUri,        ///< 400 invalid_request_uri (unknown, used or expired PAR)
  kUnsupportedMediaType,     ///< 400 invalid_request: wrong Content-Type
  kPayloadTooLarge,          ///< 413 invalid_request: body over the limit
  kHeaderTooLarge,           ///< 431 invalid_request: request head over the limit
  kAdminUnauthorized,        ///< 401 unauthorized, Basic challenge for the admin API
  kConsoleUnauthorized,      ///< 401 unauthorized, no challenge: the console's session ended
  kConsoleForbidden,         ///< 403 access_denied: a console session without its CSRF token
  kTooManyRequests,          ///< 429 too_many_requests, Retry-After: retry_after_s
  kNotFound,                 ///< 404 not_found
  kMethodNotAllowed,         ///< 405 method_not_allowed
  kConflict,                 ///< 409 conflict (client id taken)
  kServerError,              ///< 500 server_error (store or internal failure)
  kServiceUnavailable,       ///< 503 temporarily_unavailable
  kBadGateway,               ///< 502 bad_gateway: a route's upstream cannot be reached
  kGatewayTimeout,           ///< 504 gateway_timeout: a route's upstream did not answer in time
  // The resource server's answers (RFC 6750 §3): a Bearer challenge naming `bearer_realm`.
  kBearerRequired,     ///< 401 unauthorized: no token (the challenge carries no error code)
  kInvalidToken,       ///< 401 invalid_token
  kAccessDenied,       ///< 403 access_denied: a valid token, a subject that may not pass
  kInsufficientScope,  ///< 403 insufficient_scope, with the `bearer_scope` needed
  // DPoP (RFC 9449): 400 at the token endpoint; 401 with a DPoP challenge at a resource
  // (`bearer_realm` set).
  kInvalidDpopProof,  ///< invalid_dpop_proof
  kUseDpopNonce,      ///< use_dpop_nonce, with the nonce in DPoP-Nonce (`dpop_nonce`)
};

struct ApiError {
  ErrorCode code;
  std::string description;
  /// invalid_client after the client used HTTP Basic: add WWW-Authenticate (RFC 6749 §5.2).
  bool basic_challenge = false;
  /// kTooManyRequests: seconds for Retry-After.
  int64_t retry_after_s = 0;
  /// The Bearer errors: the realm of the challenge (WWW-Authenticate).
  std::string bearer_realm = {};
  /// kInsufficientScope: the scope the request needs.
  std::string bearer_scope = {};
  /// The resource errors: challenge with the DPoP scheme (the request used it) not Bearer.
  bool dpop_scheme = false;
  /// Sent as DPoP-Nonce (RFC 9449 §8): the nonce the next proof must carry.
  std::string dpop_nonce = {};
};

struct HttpError {
  int status;
  std::string body;  ///< {"error":..., "error_description":...}
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The single mapping from an error to status, body and headers.
HttpError toHttp(const ApiError& error);

const char* errorName(ErrorCode code);

}  // namespace idgate
