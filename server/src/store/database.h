// The SQL database behind idgate (SQLite by default, PostgreSQL for several processes):
// a session pool, the SQL dialect, and versioned schema migrations.
#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>

#include <memory>
#include <string>

#include "config/server_config.h"

namespace idgate {

class Database {
 public:
  /// Opens the pool and applies pending migrations. Throws StoreError.
  explicit Database(const DatabaseConfig& config);
  ~Database();

  /// A session from the pool. Throws StoreError when none can be had.
  Poco::Data::Session session();

  /// Rewrites '?' placeholders into the connector's form ($1.. for PostgreSQL).
  std::string sql(const std::string& text) const;

  bool isPostgres() const { return postgres_; }
  int schemaVersion();

 private:
  void migrate();

  bool postgres_;
  std::unique_ptr<Poco::Data::SessionPool> pool_;
};

}  // namespace idgate
