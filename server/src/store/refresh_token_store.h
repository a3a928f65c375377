// Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): stored under their SHA-256, in families (every
// token rotated from one grant). Each is used once: a rotation marks it atomically, so of two
// requests racing with the same token (on any node sharing the database) one wins; a token used
// again is told apart, so its family can be revoked.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace idgate {

class Database;

struct RefreshToken {
  std::string token_hash;  ///< hex SHA-256 of the token
  std::string family_id;
  std::string client_id;
  std::string subject;
  std::string scope;       ///< as granted at sign-in (a refresh may narrow the access token's)
  std::string session_id;  ///< the sign-in session's sid ("" for none)
  std::string sign_in_json = "{}";  ///< acr, amr, auth_time, claims: for ID tokens on refresh
  int64_t issued_at = 0;
  int64_t expires_at = 0;         ///< this token's (sliding) end
  int64_t family_expires_at = 0;  ///< the family's absolute end
  int64_t used_at = 0;            ///< 0: not rotated yet
  bool revoked = false;
  std::string access_jti;  ///< the access token issued with it (revoked with the family)
  int64_t access_expires_at = 0;
  std::string jkt;  ///< DPoP key thumbprint it is bound to ("" for none; RFC 9449 §5)
};

class RefreshTokenStore {
 public:
  virtual ~RefreshTokenStore() = default;
  /// All calls throw StoreError on a database failure.
  virtual void insert(const RefreshToken& token) = 0;
  virtual std::optional<RefreshToken> find(const std::string& token_hash) = 0;
  /// Marks the token used at `now` if it is unused, unrevoked and unexpired; true for the one
  /// caller that did.
  virtual bool markUsed(const std::string& token_hash, int64_t now) = 0;
  /// Revokes every token of the family; returns how many were still live.
  virtual int64_t revokeFamily(const std::string& family_id) = 0;
  /// The access tokens issued with the family's tokens, still unexpired at `now`.
  virtual std::vector<std::pair<std::string, int64_t>> familyAccessTokens(
      const std::string& family_id, int64_t now) = 0;
  virtual int64_t purge(int64_t before) = 0;
};

std::unique_ptr<RefreshTokenStore> makeSqlRefreshTokenStore(Database& db);

}  // namespace idgate
