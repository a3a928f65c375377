// ClientStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include "store/client_store.h"
#include "store/database.h"
#include "store/store_call.h"
#include "store/store_error.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

Poco::Nullable<std::string> nullable(const std::optional<std::string>& v) {
  return v ? Poco::Nullable<std::string>(*v) : Poco::Nullable<std::string>();
}

/// `expr` lower-cased in ASCII only, the way keystore aliases are compared: PostgreSQL's
/// LOWER follows the database's locale otherwise (in tr_TR, 'I' is not 'i').
std::string folded(const Database& db, const std::string& expr) {
  if (!db.isPostgres()) return "LOWER(" + expr + ")";  // SQLite folds ASCII only
  return "LOWER(CAST(" + expr + " AS TEXT) COLLATE \"C\")";
}

std::optional<std::string> optional(const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return std::nullopt;
  return v.convert<std::string>();
}

class SqlClientStore : public ClientStore {
 public:
  explicit SqlClientStore(Database& db) : db_(db) {}

  std::optional<Client> find(const std::string& client_id) override {
    auto rows = select("WHERE CLIENT_ID = ?", client_id);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  }

  std::vector<Client> list() override {
    return select("ORDER BY CREATED_AT, CLIENT_ID", std::nullopt);
  }

  bool insert(const Client& c) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      std::string id = c.client_id, meta = c.metadata_json;
      auto hash = nullable(c.secret_hash), sealed = nullable(c.secret_sealed);
      Poco::Int64 created = c.created_at, updated = c.updated_at;
      s << db_.sql(
          "INSERT INTO IDGATE_CLIENT (CLIENT_ID, METADATA, SECRET_HASH, SECRET_SEALED, "
          "CREATED_AT, UPDATED_AT) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
          "(SELECT 1 FROM IDGATE_CLIENT WHERE " +
          folded(db_, "CLIENT_ID") + " = " + folded(db_, "?") +
          ") "
          "ON CONFLICT DO NOTHING RETURNING CLIENT_ID"),
          use(id), use(meta), use(hash), use(sealed), use(created), use(updated), use(id),
          into(ids), now;
      return !ids.empty();
    });
  }

  bool update(const Client& c, const Client& was) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      std::string id = c.client_id, meta = c.metadata_json, old_meta = was.metadata_json;
      auto hash = nullable(c.secret_hash), sealed = nullable(c.secret_sealed);
      auto old_hash = nullable(was.secret_hash), old_sealed = nullable(was.secret_sealed);
      Poco::Int64 updated = c.updated_at, old_updated = was.updated_at;
      // One statement: the row changes only if nobody wrote it since it was read.
      s << db_.sql(
          "UPDATE IDGATE_CLIENT SET METADATA = ?, SECRET_HASH = ?, SECRET_SEALED = ?, "
          "UPDATED_AT = ? WHERE CLIENT_ID = ? AND UPDATED_AT = ? AND METADATA = ? AND "
          "SECRET_HASH IS NOT DISTINCT FROM ? AND SECRET_SEALED IS NOT DISTINCT FROM ? "
          "RETURNING CLIENT_ID"),
          use(meta), use(hash), use(sealed), use(updated), use(id), use(old_updated), use(old_meta),
          use(old_hash), use(old_sealed), into(ids), now;
      return !ids.empty();
    });
  }

  bool remove(const std::string& client_id) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      std::string id = client_id;
      s << db_.sql("DELETE FROM IDGATE_CLIENT WHERE CLIENT_ID = ? RETURNING CLIENT_ID"), use(id),
          into(ids), now;
      return !ids.empty();
    });
  }

  std::optional<std::string> findIdIgnoringCase(const std::string& client_id) override {
    return guard([&]() -> std::optional<std::string> {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      std::string id = client_id;
      s << db_.sql("SELECT CLIENT_ID FROM IDGATE_CLIENT WHERE " + folded(db_, "CLIENT_ID") + " = " +
                   folded(db_, "?") +
                   " "
                   "ORDER BY CLIENT_ID = ? DESC, CLIENT_ID"),
          use(id), use(id), into(ids), now;
      if (ids.empty()) return std::nullopt;
      return ids.front();
    });
  }

  std::vector<std::string> caseCollisions() override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      const std::string id = folded(db_, "CLIENT_ID");
      s << "SELECT CLIENT_ID FROM IDGATE_CLIENT WHERE " + id + " IN (SELECT " + id +
               " FROM IDGATE_CLIENT GROUP BY " + id + " HAVING COUNT(*) > 1) ORDER BY CLIENT_ID",
          into(ids), now;
      return ids;
    });
  }

 private:
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    return storeCall("client store", std::forward<F>(f));
  }

  std::vector<Client> select(const std::string& tail, const std::optional<std::string>& id) {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      Poco::Data::Statement st(s);
      std::string key = id.value_or("");
      st << db_.sql(
          "SELECT CLIENT_ID, METADATA, SECRET_HASH, SECRET_SEALED, CREATED_AT, UPDATED_AT "
          "FROM IDGATE_CLIENT " +
          tail);
      if (id) st, use(key);
      st.execute();
      Poco::Data::RecordSet rs(st);
      std::vector<Client> out;
      for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        Client c;
        c.client_id = rs.value(0).convert<std::string>();
        c.metadata_json = rs.value(1).convert<std::string>();
        c.secret_hash = optional(rs.value(2));
        c.secret_sealed = optional(rs.value(3));
        c.created_at = rs.value(4).convert<Poco::Int64>();
        c.updated_at = rs.value(5).convert<Poco::Int64>();
        c.metadata_view = parseClientMetadataView(c.metadata_json);  // once per read
        out.push_back(std::move(c));
      }
      return out;
    });
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<ClientStore> makeSqlClientStore(Database& db) {
  return std::make_unique<SqlClientStore>(db);
}

void createCaseInsensitiveClientIdIndex(Database& db) {
  try {
    Poco::Data::Session s = db.session();
    s << "CREATE UNIQUE INDEX IF NOT EXISTS IDGATE_CLIENT_ID_NOCASE ON IDGATE_CLIENT "
         "(" +
             folded(db, "CLIENT_ID") + ")",
        now;
  } catch (const Poco::Exception& e) {
    throw StoreError("client store: " + e.displayText());
  }
}

}  // namespace idgate
