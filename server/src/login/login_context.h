// What the interactive login's endpoints share: configuration, stores, the user and client
// authenticators, the pages. Built once by the Runtime; the endpoints hold a reference.
#pragma once

#include <string>

#include "admin/login_throttle.h"
#include "common/clock.h"
#include "config/identity_config.h"
#include "login/login_cookie.h"
#include "login/page_templates.h"
#include "oauth/client_authenticator.h"
#include "oauth/own_token_verifier.h"
#include "oauth/user_authentication.h"
#include "resource/dpop_proof.h"
#include "store/authorization_code_store.h"
#include "store/client_store.h"
#include "store/consent_store.h"
#include "store/login_session_store.h"
#include "store/pending_request_store.h"
#include "store/revoked_token_store.h"

namespace idgate {

struct LoginContext {
  std::string issuer;
  LoginConfig config;
  int64_t skew_s = 60;
  const Clock& clock;
  ClientStore& clients;
  LoginSessionStore& sessions;
  PendingRequestStore& pending;
  ConsentStore& consents;
  AuthorizationCodeStore& codes;
  RevokedTokenStore& revoked;
  const UserAuthentication& users;
  const ClientAuthenticator& client_auth;
  const OwnTokenVerifier& verifier;
  const PageTemplates& pages;
  const LoginCookie& cookie;
  /// Failed sign-ins, keyed "user:<name>" and "addr:<address>".
  LoginThrottle& throttle;
  /// DPoP proofs for DPoP-bound tokens at userinfo (RFC 9449 §7).
  const DpopProofVerifier& dpop;
};

/// Lifetimes the protocol fixes: codes and pushed requests 60 s (RFC 9126 §2.2 suggests
/// 5-600), a page waiting for the user 10 minutes.
inline constexpr int64_t kCodeLifetimeSeconds = 60;
inline constexpr int64_t kPushedRequestLifetimeSeconds = 60;
inline constexpr int64_t kInteractionLifetimeSeconds = 600;
inline constexpr const char* kRequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

}  // namespace idgate
