// PendingRequestStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "store/database.h"
#include "store/pending_request_store.h"
#include "store/store_call.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlPendingRequestStore : public PendingRequestStore {
 public:
  explicit SqlPendingRequestStore(Database& db) : db_(db) {}

  void insert(const PendingRequest& v) override {
    storeCall("pending request store", [&] {
      Poco::Data::Session s = db_.session();
      PendingRequest c = v;
      Poco::Int64 expires_at = v.expires_at;
      s << db_.sql(
          "INSERT INTO IDGATE_PENDING_REQUEST (ID_HASH, KIND, CLIENT_ID, REQUEST, CSRF, "
          "BROWSER_HASH, EXPIRES_AT) VALUES (?, ?, ?, ?, ?, ?, ?)"),
          use(c.id_hash), use(c.kind), use(c.client_id), use(c.request_json), use(c.csrf),
          use(c.browser_hash), use(expires_at), now;
    });
  }

  std::optional<PendingRequest> take(const std::string& id_hash, const std::string& kind,
                                     int64_t now_s) override {
    return storeCall("pending request store", [&]() -> std::optional<PendingRequest> {
      Poco::Data::Session s = db_.session();
      std::string h = id_hash, k = kind;
      Poco::Int64 at = now_s;
      std::vector<std::string> won;
      // One statement decides: of two concurrent takers only one sees USED_AT still NULL.
      s << db_.sql(
          "UPDATE IDGATE_PENDING_REQUEST SET USED_AT = ? WHERE ID_HASH = ? AND KIND = ? AND "
          "USED_AT IS NULL AND EXPIRES_AT > ? RETURNING ID_HASH"),
          use(at), use(h), use(k), use(at), into(won), now;
      if (won.empty()) return std::nullopt;
      return read(s, id_hash, kind, now_s, /*unused_only=*/false);
    });
  }

  std::optional<PendingRequest> find(const std::string& id_hash, const std::string& kind,
                                     int64_t now_s) override {
    return storeCall("pending request store", [&] {
      Poco::Data::Session s = db_.session();
      return read(s, id_hash, kind, now_s, /*unused_only=*/true);
    });
  }

  int64_t purge(int64_t before) override {
    return storeCall("pending request store", [&] {
      Poco::Data::Session s = db_.session();
      Poco::Int64 b = before;
      std::vector<std::string> gone;
      s << db_.sql("DELETE FROM IDGATE_PENDING_REQUEST WHERE EXPIRES_AT < ? RETURNING ID_HASH"),
          use(b), into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

 private:
  std::optional<PendingRequest> read(Poco::Data::Session& s, const std::string& id_hash,
                                     const std::string& kind, int64_t now_s, bool unused_only) {
    Poco::Data::Statement st(s);
    std::string h = id_hash, k = kind;
    Poco::Int64 at = now_s;
    st << db_.sql(std::string("SELECT ID_HASH, KIND, CLIENT_ID, REQUEST, CSRF, EXPIRES_AT, "
                              "BROWSER_HASH FROM "
                              "IDGATE_PENDING_REQUEST WHERE ID_HASH = ? AND KIND = ? AND "
                              "EXPIRES_AT > ?") +
                  (unused_only ? " AND USED_AT IS NULL" : "")),
        use(h), use(k), use(at);
    st.execute();
    Poco::Data::RecordSet rs(st);
    if (!rs.moveFirst()) return std::nullopt;
    PendingRequest out;
    out.id_hash = rs.value(0).convert<std::string>();
    out.kind = rs.value(1).convert<std::string>();
    out.client_id = rs.value(2).convert<std::string>();
    out.request_json = rs.value(3).convert<std::string>();
    out.csrf = rs.value(4).convert<std::string>();
    out.expires_at = rs.value(5).convert<Poco::Int64>();
    out.browser_hash = rs.value(6).convert<std::string>();
    return out;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<PendingRequestStore> makeSqlPendingRequestStore(Database& db) {
  return std::make_unique<SqlPendingRequestStore>(db);
}

}  // namespace idgate
