// Authorization codes (RFC 6749 §4.1, OIDC Core §3.1): what a code stands for, stored under a
// hash of the code (never the code), usable once. A second exchange is told apart from an
// unknown code, so the caller can revoke what the first one issued (RFC 6749 §4.1.2).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace idgate {

class Database;

struct AuthorizationCode {
  std::string code_hash;  ///< hex SHA-256 of the code
  std::string client_id;
  std::string redirect_uri;  ///< as sent in the authorization request (compared exactly)
  std::string subject;
  std::string scope;           ///< space-separated, as granted
  std::string nonce;           ///< empty when the request had none
  std::string code_challenge;  ///< PKCE S256 challenge; empty when the client sent none
  std::string dpop_jkt;        ///< the DPoP key the code is bound to (RFC 9449 §10); "" for none
  std::string session_id;
  int64_t auth_time = 0;
  int64_t expires_at = 0;
  std::string issued_jti;  ///< the access token the redemption issued; empty before
  int64_t issued_expires_at = 0;
  int64_t used_at = 0;  ///< 0: not redeemed yet
};

class AuthorizationCodeStore {
 public:
  virtual ~AuthorizationCodeStore() = default;

  enum class Outcome {
    kRedeemed,  ///< first exchange: the code is now used
    kReplayed,  ///< used before: refuse, and revoke what it issued
    kExpired,   ///< past expires_at, never used
    kUnknown,
  };
  struct Redemption {
    Outcome outcome = Outcome::kUnknown;
    std::optional<AuthorizationCode> code;  ///< set for kRedeemed and kReplayed
  };

  /// All calls throw StoreError on a database failure.
  /// false when the hash exists already (a random 128-bit code never collides).
  virtual bool insert(const AuthorizationCode& code) = 0;
  /// The code as stored (used or not, expired or not), without changing it.
  virtual std::optional<AuthorizationCode> find(const std::string& code_hash) = 0;
  /// Marks the code used, atomically: of concurrent exchanges exactly one is kRedeemed. The
  /// jti and expiry of the access token the redemption will issue are written in the same
  /// statement, so a replay, however close behind, finds what to revoke.
  virtual Redemption redeem(const std::string& code_hash, int64_t now,
                            const std::string& issued_jti = "", int64_t issued_expires_at = 0) = 0;
  /// Deletes the unused codes of a session that ended; returns how many.
  virtual int64_t removeForSession(const std::string& session_id) = 0;
  /// Deletes codes that expired before `before`; returns how many.
  virtual int64_t purge(int64_t before) = 0;
};

std::unique_ptr<AuthorizationCodeStore> makeSqlAuthorizationCodeStore(Database& db);

/// The hex SHA-256 a code is stored under.
std::string authorizationCodeHash(const std::string& code);

}  // namespace idgate
