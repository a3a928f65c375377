// The replay table IDN_OIDC_JTI: atomic check-and-insert keyed by (client_id, jti).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
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

  /// `error` is null with a result, or holds the StoreError (the result then means nothing).
  using Done = std::function<void(Result result, std::exception_ptr error)>;
  /// The same decision without a waiting thread: `done` runs once the row's fate is durable
  /// (after the commit of its group), on the store's own thread, or inline when the store has
  /// none. It must not block. The default runs checkAndInsert inline.
  virtual void checkAndInsertAsync(const std::string& client_id, const std::string& jti,
                                   int64_t expires_at, int64_t now, Done done) {
    Result r = Result::kReplayed;
    std::exception_ptr error;
    try {
      r = checkAndInsert(client_id, jti, expires_at, now);
    } catch (...) {
      error = std::current_exception();
    }
    done(r, error);
  }
  /// Deletes at most `limit` rows that expired before `now`; returns how many.
  virtual int purgeExpired(int64_t now, int limit) = 0;
};

/// `commit_window_us` > 0: a busy committer (the last group had more than one row) waits up
/// to that long for more rows before committing a group, trading that much latency for fewer
/// commits (each costs an fsync, most of the CPU of the path: docs/performance.md). 0: commit
/// as soon as the previous commit is done.
std::unique_ptr<JtiStore> makeSqlJtiStore(Database& db, int64_t commit_window_us = 0);

}  // namespace idgate
