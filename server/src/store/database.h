// The SQL database behind idgate (SQLite by default, PostgreSQL for several processes):
// a session pool, the SQL dialect, and versioned schema migrations.
#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>

#include <memory>
#include <string>

#include "config/server_config.h"
#include "store/postgres_connect_gate.h"

namespace idgate {

class Database {
 public:
  /// Opens the pool and applies pending migrations. Throws StoreError.
  explicit Database(const DatabaseConfig& config);
  ~Database();

  /// A session from the pool, waiting up to 5 s for one. Throws StoreError when none can be had.
  Poco::Data::Session session();

  /// A session of its own, outside the pool, for a thread that keeps one for its lifetime
  /// (the jti committer) so it never takes a request's place in the pool.
  Poco::Data::Session dedicatedSession();

  /// Rewrites '?' placeholders into the connector's form ($1.. for PostgreSQL).
  std::string sql(const std::string& text) const;

  /// An SQL expression for the database's clock in Unix seconds: one clock for every node.
  std::string nowSeconds() const {
    return postgres_ ? "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)"
                     : "CAST(strftime('%s','now') AS INTEGER)";
  }

  bool isPostgres() const { return postgres_; }
  int schemaVersion();

 private:
  void migrate();

  bool postgres_;
  std::string connector_;
  std::string connection_;
  std::unique_ptr<Poco::Data::SessionPool> pool_;
  /// PostgreSQL only: new connections go through it (postgres_connect_gate.h says why).
  std::unique_ptr<PostgresConnectGate> gate_;
};

}  // namespace idgate
