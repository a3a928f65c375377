// conf/identity.xml in WSO2 format: <EventListeners>, <CacheConfig>, <OAuth><TimestampSkew>.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace idgate {

struct EventListenerConfig {
  std::string type;
  std::string name;
  int order_id = -1;
  bool enable = true;
  bool enable_valid = true;  ///< false: `enable` was not a boolean (WSO2: treated as disabled)
  std::map<std::string, std::string> properties;  ///< later duplicates win (WSO2)
};

struct CacheConfigEntry {
  std::string manager;
  std::string name;
  bool enable = true;
  int64_t timeout_s = 10;
  int64_t capacity = 5000;
  bool distributed = false;
};

/// <OAuth><Login .../>: the interactive login (authorization code flow).
struct LoginConfig {
  bool require_par = false;   ///< requirePushedAuthorizationRequests: every client must use PAR
  bool require_pkce = false;  ///< requirePkce: confidential clients too (public ones always)
  int64_t session_lifetime_s = 8 * 3600;  ///< sessionLifetimeSeconds
  int64_t id_token_lifetime_s = 3600;     ///< idTokenLifetimeSeconds
  int free_failures = 5;                  ///< failedLoginsBeforeDelay (per account and per address)
  int64_t max_delay_s = 300;              ///< maxLoginDelaySeconds: a lockout never lasts longer
};

/// <OAuth><RefreshTokens .../>: lifetimes and the reuse grace of refresh tokens.
struct RefreshTokenConfig {
  int64_t sliding_s = 14 * 86400;   ///< slidingLifetimeSeconds: unused this long, a token ends
  int64_t absolute_s = 30 * 86400;  ///< absoluteLifetimeSeconds: a family ends this long after
                                    ///< the sign-in, however used
  int64_t reuse_grace_s = 0;        ///< reuseGraceSeconds: a rotated token may be used again this
                                    ///< long (a client's retry) before reuse revokes its family
};

/// <OAuth><Revocation .../>: how soon a revoked access token is refused by the resource server.
struct RevocationConfig {
  int64_t propagation_s = 5;  ///< propagationSeconds: other nodes' revocations are read this
                              ///< often (0: the database is asked at every request); the
                              ///< node that revoked a token refuses it at once
};

/// <OAuth><DPoP .../>: sender-constrained tokens (RFC 9449).
struct DpopConfig {
  bool require_nonce = false;      ///< requireNonce: proofs must carry a server nonce (§8)
  int64_t nonce_lifetime_s = 300;  ///< nonceLifetimeSeconds: how long a nonce is accepted
  int64_t proof_max_age_s = 300;   ///< proofMaxAgeSeconds: a proof's iat may be this old (or
                                   ///< this far ahead, less the timestamp skew)
};

struct IdentityConfig {
  std::string file;
  int64_t timestamp_skew_s = 60;
  LoginConfig login;
  RefreshTokenConfig refresh;
  RevocationConfig revocation;
  DpopConfig dpop;
  std::vector<EventListenerConfig> listeners;
  std::vector<CacheConfigEntry> caches;

  /// "OAuth.TimestampSkew", "CacheConfig.<name>.enable|timeout|capacity|isDistributed".
  std::map<std::string, std::string> globalProperties() const;
};

/// Throws ConfigError naming the file, element and attribute.
IdentityConfig loadIdentityConfig(const std::string& file);

}  // namespace idgate
