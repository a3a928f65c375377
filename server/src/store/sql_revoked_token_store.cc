// RevokedTokenStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/Statement.h>

#include "store/database.h"
#include "store/revoked_token_store.h"
#include "store/store_call.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlRevokedTokenStore : public RevokedTokenStore {
 public:
  explicit SqlRevokedTokenStore(Database& db) : db_(db) {}

  void revoke(const std::string& jti, int64_t expires_at) override {
    storeCall("revoked token store", [&] {
      Poco::Data::Session s = db_.session();
      std::string id = jti;
      Poco::Int64 exp = expires_at;
      s << db_.sql("INSERT INTO IDGATE_REVOKED_TOKEN (JTI, EXPIRES_AT, REVOKED_AT) VALUES (?, ?, " +
                   db_.nowSeconds() + ") ON CONFLICT DO NOTHING"),
          use(id), use(exp), now;
    });
  }

  Since revokedSince(int64_t since, int64_t live_at) override {
    return storeCall("revoked token store", [&] {
      Poco::Data::Session s = db_.session();
      Poco::Int64 from = since, live = live_at;
      std::vector<std::string> jtis;
      std::vector<Poco::Int64> exps, ats;
      s << db_.sql(
          "SELECT JTI, EXPIRES_AT, REVOKED_AT FROM IDGATE_REVOKED_TOKEN WHERE REVOKED_AT >= ? AND "
          "EXPIRES_AT >= ?"),
          use(from), use(live), into(jtis), into(exps), into(ats), now;
      Since out;
      for (size_t i = 0; i < jtis.size() && i < exps.size() && i < ats.size(); ++i) {
        out.rows.push_back({jtis[i], static_cast<int64_t>(exps[i]), static_cast<int64_t>(ats[i])});
      }
      Poco::Int64 db_now = 0;
      s << "SELECT " + db_.nowSeconds(), into(db_now), now;
      out.database_now = db_now;
      return out;
    });
  }

  bool isRevoked(const std::string& jti) override {
    return storeCall("revoked token store", [&] {
      Poco::Data::Session s = db_.session();
      std::string id = jti;
      std::vector<std::string> found;
      s << db_.sql("SELECT JTI FROM IDGATE_REVOKED_TOKEN WHERE JTI = ?"), use(id), into(found), now;
      return !found.empty();
    });
  }

  int64_t purge(int64_t before) override {
    return storeCall("revoked token store", [&] {
      Poco::Data::Session s = db_.session();
      Poco::Int64 b = before;
      std::vector<std::string> gone;
      s << db_.sql("DELETE FROM IDGATE_REVOKED_TOKEN WHERE EXPIRES_AT < ? RETURNING JTI"), use(b),
          into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<RevokedTokenStore> makeSqlRevokedTokenStore(Database& db) {
  return std::make_unique<SqlRevokedTokenStore>(db);
}

}  // namespace idgate
