// The claim rules of a client assertion (RFC 7523 §3, OIDC Core §9), with time injected.
// Signature and key selection are the caller's; this checks what the payload says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "idgate/jose/json.h"

namespace idgate::jose {

struct AssertionPolicy {
  int64_t skew_s = 60;
  int64_t reject_before_s = 300 * 60;  ///< 0 disables the iat age check
  int64_t max_lifetime_s = 60 * 60;    ///< exp - now may not exceed this
  std::vector<std::string> accepted_audiences;
  /// true: a client assertion (iss = sub = the client id). false: a grant assertion (RFC 7523
  /// §3: iss and sub required, the subject is whoever the issuer vouches for).
  bool subject_is_issuer = true;
};

struct AssertionClaims {
  std::string iss;
  std::string sub;
  std::string jti;
  int64_t exp = 0;
};

/// The client id the assertion claims to come from: iss and sub, both strings, equal.
/// nullopt with `reason` otherwise.
std::optional<std::string> assertionSubject(const Json& payload, std::string* reason);

/// header typ must be absent, JWT or client-authentication+jwt (at+jwt and other token types
/// are refused so another kind of token cannot be replayed as a client assertion).
bool assertionTypAllowed(const std::string& typ);

/// Checks exp/nbf/iat/jti/aud; on failure returns nullopt with the rule's name in `reason`
/// ("assertion expired", "aud not accepted", ...).
std::optional<AssertionClaims> checkAssertionClaims(const Json& payload,
                                                    const AssertionPolicy& policy, int64_t now,
                                                    std::string* reason);

}  // namespace idgate::jose
