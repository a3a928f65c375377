// Access tokens revoked before their expiry, by jti (a replayed authorization code revokes what
// it issued), kept until the token would have expired anyway.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace idgate {

class Database;

class RevokedTokenStore {
 public:
  virtual ~RevokedTokenStore() = default;
  /// All calls throw StoreError on a database failure.
  virtual void revoke(const std::string& jti, int64_t expires_at) = 0;
  virtual bool isRevoked(const std::string& jti) = 0;
  virtual int64_t purge(int64_t before) = 0;
};

std::unique_ptr<RevokedTokenStore> makeSqlRevokedTokenStore(Database& db);

}  // namespace idgate
