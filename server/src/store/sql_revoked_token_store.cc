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
      s << db_.sql(
          "INSERT INTO IDGATE_REVOKED_TOKEN (JTI, EXPIRES_AT) VALUES (?, ?) ON CONFLICT DO "
          "NOTHING"),
          use(id), use(exp), now;
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
