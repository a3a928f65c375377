#include "store/jti_batch_writer.h"

#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <vector>

#include "store/database.h"
#include "store/store_error.h"

using namespace Poco::Data::Keywords;

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

class PocoJtiBatchWriter : public JtiBatchWriter {
 public:
  explicit PocoJtiBatchWriter(Database& db) : session_(db.dedicatedSession()), upsert_(session_) {
    upsert_ << db.sql(std::string(kUpsert) + " RETURNING CLIENT_ID"), use(jti_), use(client_id_),
        use(exp_), use(created_), use(cutoff_), into(returned_);
  }

  void begin() override {
    run([&] { session_.begin(); });
  }
  void commit() override {
    run([&] { session_.commit(); });
  }
  void rollback() noexcept override {
    try {
      session_.rollback();
    } catch (...) {
    }
  }

  bool upsert(const std::string& client_id, const std::string& jti, int64_t exp,
              int64_t now) override {
    jti_ = jti;
    client_id_ = client_id;
    exp_ = exp;
    created_ = now;
    cutoff_ = now;
    returned_.clear();
    run([&] { upsert_.execute(); });
    return !returned_.empty();
  }

 private:
  template <typename F>
  static void run(F&& f) {
    try {
      f();
    } catch (const Poco::Exception& e) {
      throw StoreError("jti store: " + e.displayText());
    }
  }

  Poco::Data::Session session_;
  Poco::Data::Statement upsert_;
  std::string jti_, client_id_;
  Poco::Int64 exp_ = 0, created_ = 0, cutoff_ = 0;
  std::vector<std::string> returned_;
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
  if (db.isPostgres()) return std::make_unique<PocoJtiBatchWriter>(db);
  return std::make_unique<SqliteJtiBatchWriter>(db);
}

}  // namespace idgate
