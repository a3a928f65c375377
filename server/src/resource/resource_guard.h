// The resource-server front door shared by gateway routes, /auth/check and /api/*: picks the
// <openidConnectClient> for a request, extracts the token, consults the validated-token cache,
// validates, and turns the outcome into the RFC 6750 response when it is not a success.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/clock.h"
#include "config/resource_server_config.h"
#include "http/http_exchange.h"
#include "resource/dpop_proof.h"
#include "resource/request_origin.h"
#include "resource/session_cookie.h"
#include "resource/token_validator.h"
#include "resource/validated_token_cache.h"
#include "store/revocation_list.h"

namespace idgate {

class RequestTokens;

struct GuardResult {
  enum class Kind { kAuthenticated, kAnonymous, kNoToken, kInvalid, kForbidden, kServerError };
  Kind kind = Kind::kNoToken;
  Subject subject;          ///< kAuthenticated
  std::string realm;        ///< for WWW-Authenticate
  std::string description;  ///< why, for error_description and the log
  bool from_cache = false;
  bool from_session = false;
  std::string set_cookie;    ///< a Set-Cookie value to send (authnSessionDisabled="false")
  bool dpop_scheme = false;  ///< the token came as Authorization: DPoP (challenge in kind)
  /// kInvalid by the DPoP sender constraint: the exact answer (invalid_token in the DPoP
  /// scheme, invalid_dpop_proof, use_dpop_nonce with its DPoP-Nonce).
  std::optional<ApiError> refusal;

  /// For the access log of a request that passed: "config=<id>[ cached][ session]", or
  /// "anonymous (<why>)".
  std::string logNote() const;
};

class ResourceGuard {
 public:
  /// `sessions` may be null when no configuration enables sessions.
  ResourceGuard(const ResourceServerConfig& config, const TokenValidator& validator,
                const Clock& clock, const SessionCookies* sessions = nullptr,
                AudienceOrigins origins = {});

  /// `only`: the configuration a route names; otherwise chosen as Liberty does (auth filter,
  /// then the token's issuer, then a configuration without a filter).
  GuardResult authenticate(const RequestOrigin& request, const OidcClientConfig* only = nullptr);

  /// Runs after a token validated, before caching: may change the subject, or refuse it
  /// (kForbidden, kServerError) with a reason. Subject-mapper plugins plug in here.
  using SubjectMapping = std::function<GuardResult::Kind(Subject&, std::string* reason)>;
  void setSubjectMapping(SubjectMapping mapping) { mapping_ = std::move(mapping); }

  /// idgate's own access tokens (iss `issuer`, with a jti) are looked up in `revocations` at
  /// every request, from the cache and session cookies too.
  /// DPoP-bound tokens (cnf.jkt) need Authorization: DPoP and a proof checked by `verifier`;
  /// none: such tokens are refused.
  void setDpop(const DpopProofVerifier* verifier) { dpop_ = verifier; }

  void setRevocations(RevocationList* revocations, std::string issuer) {
    revocations_ = revocations;
    own_issuer_ = std::move(issuer);
  }

  const OidcClientConfig* client(const std::string& id) const;
  size_t cacheSize() const { return cache_.size(); }

 private:
  /// `fallback`: what the request would get without the token's hints (filter match or the
  /// first configuration without a filter).
  GuardResult decide(const RequestOrigin& request, const OidcClientConfig* only);
  /// kAuthenticated when `subject` was not revoked; else kInvalid or kServerError.
  GuardResult::Kind revocationOf(const Subject& subject, int64_t now, std::string* why,
                                 bool from_session = false) const;
  /// The sender constraint (RFC 9449 §7): kAuthenticated, or kInvalid/kServerError with `out`'s
  /// description and DPoP fields set.
  GuardResult::Kind senderOf(const Subject& subject, const std::string& token,
                             const RequestOrigin& request, int64_t now, GuardResult& out) const;
  const OidcClientConfig* select(const RequestOrigin& request, RequestTokens& tokens,
                                 const OidcClientConfig** fallback) const;

  const ResourceServerConfig& config_;
  const TokenValidator& validator_;
  const Clock& clock_;
  const SessionCookies* sessions_;
  AudienceOrigins origins_;
  SubjectMapping mapping_;
  ValidatedTokenCache cache_;
  RevocationList* revocations_ = nullptr;
  const DpopProofVerifier* dpop_ = nullptr;
  std::string own_issuer_;
};

/// Whether an Authorization header value uses the Bearer scheme (case-insensitive).
bool hasBearerScheme(const std::string& authorization);

/// 401/403/500 with WWW-Authenticate (RFC 6750 §3) and a JSON error body.
HttpResponseData challengeResponse(const GuardResult& result);

}  // namespace idgate
