// Access tokens revoked before their expiry, by jti (a replayed authorization code revokes what
// it issued), kept until the token would have expired anyway.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idgate {

class Database;

struct RevokedJti {
  std::string jti;
  int64_t expires_at = 0;
  int64_t revoked_at = 0;  ///< by the database's clock (one clock for every node)
};

class RevokedTokenStore {
 public:
  virtual ~RevokedTokenStore() = default;
  /// All calls throw StoreError on a database failure.
  /// The database records when, by its own clock: other nodes read what is new since a time
  /// of that same clock, whatever their own clocks say.
  virtual void revoke(const std::string& jti, int64_t expires_at) = 0;
  virtual bool isRevoked(const std::string& jti) = 0;
  /// Revoked at or after `since` (the database's clock), still unexpired at `live_at`.
  struct Since {
    std::vector<RevokedJti> rows;
    int64_t database_now = 0;  ///< the database's clock at the read
  };
  virtual Since revokedSince(int64_t since, int64_t live_at) = 0;
  virtual int64_t purge(int64_t before) = 0;
};

std::unique_ptr<RevokedTokenStore> makeSqlRevokedTokenStore(Database& db);

}  // namespace idgate
