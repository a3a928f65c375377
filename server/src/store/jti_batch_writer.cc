#include "store/jti_batch_writer.h"

#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <vector>

#include "store/database.h"
#include "store/store_error.h"

namespace idgate {
namespace {

// One statement decides a row: a live row with the same key makes it a replay (the statement
// changes nothing); an expired one is taken over. On SQLite's own API the count of changed
// rows tells the two apart; through Poco::Data a RETURNING clause does. (RETURNING makes
// SQLite fill a temporary table per execution: 2.5x the upsert's own time with 200k live
// rows, docs/performance.md.)
constexpr const char* kUpsert =
    "INSERT INTO IDN_OIDC_JTI (JWT_ID, CLIENT_ID, EXP_TIME, TIME_CREATED) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (CLIENT_ID, JWT_ID) DO UPDATE SET "
    "EXP_TIME = excluded.EXP_TIME, TIME_CREATED = excluded.TIME_CREATED "
    "WHERE IDN_OIDC_JTI.EXP_TIME < ?";

/// PostgreSQL through libpq on the session's own connection, with the statement prepared once.
/// (Poco::Data's PostgreSQL statement frees a result twice when an execution fails after an
/// earlier one succeeded, Poco 1.11 StatementExecutor::execute: a database restart or a
/// dropped table then took the whole server down.)
class PgJtiBatchWriter : public JtiBatchWriter {
 public:
  explicit PgJtiBatchWriter(Database& db) : session_(db.dedicatedSession()) {
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session_.impl());
    if (impl == nullptr) throw StoreError("jti store: not a PostgreSQL session");
    conn_ = impl->handle();
    if (conn_ == nullptr) throw StoreError("jti store: no PostgreSQL connection");
    const std::string sql = db.sql(std::string(kUpsert) + " RETURNING CLIENT_ID");
    check(PQprepare(conn_, kStatement, sql.c_str(), 5, nullptr), PGRES_COMMAND_OK, "prepare");
  }

  void begin() override { check(PQexec(conn_, "BEGIN"), PGRES_COMMAND_OK, "BEGIN"); }
  void commit() override { check(PQexec(conn_, "COMMIT"), PGRES_COMMAND_OK, "COMMIT"); }
  void rollback() noexcept override { PQclear(PQexec(conn_, "ROLLBACK")); }

  bool upsert(const std::string& client_id, const std::string& jti, int64_t exp,
              int64_t now) override {
    const std::string exp_text = std::to_string(exp);
    const std::string now_text = std::to_string(now);
    const char* values[5] = {jti.c_str(), client_id.c_str(), exp_text.c_str(), now_text.c_str(),
                             now_text.c_str()};
    PGresult* r = PQexecPrepared(conn_, kStatement, 5, values, nullptr, nullptr, 0);
    const bool fresh = r != nullptr && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    check(r, PGRES_TUPLES_OK, "upsert");
    return fresh;
  }

 private:
  static constexpr const char* kStatement = "idgate_jti_upsert";

  /// Clears `r`; throws StoreError unless its status is `expected`.
  void check(PGresult* r, ExecStatusType expected, const char* what) {
    if (r != nullptr && PQresultStatus(r) == expected) {
      PQclear(r);
      return;
    }
    std::string why = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    PQclear(r);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw StoreError(std::string("jti store: PostgreSQL ") + what + ": " + why);
  }

  Poco::Data::Session session_;  ///< owns the connection
  PGconn* conn_ = nullptr;
};

class SqliteJtiBatchWriter : public JtiBatchWriter {
 public:
  explicit SqliteJtiBatchWriter(Database& db) : session_(db.dedicatedSession()) {
    try {
      handle_ = Poco::Data::SQLite::Utility::dbHandle(session_);
    } catch (const Poco::Exception& e) {
      throw StoreError("jti store: " + e.displayText());
    }
    if (handle_ == nullptr) throw StoreError("jti store: no SQLite connection");
    try {
      begin_ = prepare("BEGIN IMMEDIATE");
      commit_ = prepare("COMMIT");
      rollback_ = prepare("ROLLBACK");
      upsert_ = prepare(kUpsert);
    } catch (...) {
      finalize();
      throw;
    }
  }

  ~SqliteJtiBatchWriter() override { finalize(); }

  void begin() override { once(begin_); }
  void commit() override { once(commit_); }
  void rollback() noexcept override {
    if (!sqlite3_get_autocommit(handle_)) {
      sqlite3_step(rollback_);
      sqlite3_reset(rollback_);
    }
  }

  bool upsert(const std::string& client_id, const std::string& jti, int64_t exp,
              int64_t now) override {
    sqlite3_bind_text(upsert_, 1, jti.data(), static_cast<int>(jti.size()), SQLITE_STATIC);
    sqlite3_bind_text(upsert_, 2, client_id.data(), static_cast<int>(client_id.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(upsert_, 3, exp);
    sqlite3_bind_int64(upsert_, 4, now);
    sqlite3_bind_int64(upsert_, 5, now);
    int rc = sqlite3_step(upsert_);
    bool fresh = rc == SQLITE_DONE && sqlite3_changes(handle_) == 1;
    sqlite3_reset(upsert_);
    sqlite3_clear_bindings(upsert_);
    if (rc != SQLITE_DONE) fail("upsert");
    return fresh;
  }

 private:
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(handle_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      fail("prepare");
    }
    return s;
  }

  void once(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) fail(sqlite3_sql(s));
  }

  void finalize() {
    for (sqlite3_stmt* s : {begin_, commit_, rollback_, upsert_}) sqlite3_finalize(s);
  }

  [[noreturn]] void fail(const std::string& what) {
    throw StoreError("jti store: " + what + ": " + sqlite3_errmsg(handle_));
  }

  Poco::Data::Session session_;  ///< owns the connection
  sqlite3* handle_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
};

}  // namespace

std::unique_ptr<JtiBatchWriter> makeJtiBatchWriter(Database& db) {
  if (db.isPostgres()) return std::make_unique<PgJtiBatchWriter>(db);
  return std::make_unique<SqliteJtiBatchWriter>(db);
}

}  // namespace idgate
