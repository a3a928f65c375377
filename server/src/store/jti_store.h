// The replay table IDN_OIDC_JTI: atomic check-and-insert keyed by (client_id, jti).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace idgate {

class Database;

class JtiStore {
 public:
  enum class Result { kFresh, kReplayed };
  virtual ~JtiStore() = default;
  /// Records the jti until `expires_at` (unix seconds) unless a live row exists.
  /// A row whose EXP_TIME is before `now` no longer blocks. Throws StoreError.
  virtual Result checkAndInsert(const std::string& client_id, const std::string& jti,
                                int64_t expires_at, int64_t now) = 0;
  /// Deletes at most `limit` rows that expired before `now`; returns how many.
  virtual int purgeExpired(int64_t now, int limit) = 0;
};

std::unique_ptr<JtiStore> makeSqlJtiStore(Database& db);

}  // namespace idgate
