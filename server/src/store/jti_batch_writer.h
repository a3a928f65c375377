// The JTI committer's writer: one connection of its own, one transaction per batch, and the
// atomic check-and-insert statement prepared once. On SQLite it drives the connection's native
// handle, because Poco::Data re-prepares a SQLite statement on every execute (≈ 10 % of a
// token request, docs/performance.md); on PostgreSQL it goes through Poco::Data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace idgate {

class Database;

class JtiBatchWriter {
 public:
  virtual ~JtiBatchWriter() = default;
  /// Each throws StoreError on failure; after one, the writer is discarded.
  virtual void begin() = 0;
  /// Inserts the row, or takes over an expired one (exp < now). True = fresh, false = a live
  /// row with that (client_id, jti) exists: a replay.
  virtual bool upsert(const std::string& client_id, const std::string& jti, int64_t exp,
                      int64_t now) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
};

/// The writer for `db`'s engine, on a dedicated connection. Throws StoreError.
std::unique_ptr<JtiBatchWriter> makeJtiBatchWriter(Database& db);

}  // namespace idgate
