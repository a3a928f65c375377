// ConsentStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/Statement.h>

#include "store/consent_store.h"
#include "store/database.h"
#include "store/store_call.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlConsentStore : public ConsentStore {
 public:
  explicit SqlConsentStore(Database& db) : db_(db) {}

  std::optional<std::string> find(const std::string& subject,
                                  const std::string& client_id) override {
    return storeCall("consent store", [&]() -> std::optional<std::string> {
      Poco::Data::Session s = db_.session();
      std::string sub = subject, id = client_id;
      std::vector<std::string> scopes;
      s << db_.sql("SELECT SCOPE FROM IDGATE_CONSENT WHERE SUBJECT = ? AND CLIENT_ID = ?"),
          use(sub), use(id), into(scopes), now;
      if (scopes.empty()) return std::nullopt;
      return scopes.front();
    });
  }

  void put(const std::string& subject, const std::string& client_id, const std::string& scope,
           int64_t now_s) override {
    storeCall("consent store", [&] {
      Poco::Data::Session s = db_.session();
      std::string sub = subject, id = client_id, sc = scope;
      Poco::Int64 at = now_s;
      s << db_.sql(
          "INSERT INTO IDGATE_CONSENT (SUBJECT, CLIENT_ID, SCOPE, CREATED_AT) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (SUBJECT, CLIENT_ID) DO UPDATE SET SCOPE = excluded.SCOPE, CREATED_AT = "
          "excluded.CREATED_AT"),
          use(sub), use(id), use(sc), use(at), now;
    });
  }

  int64_t removeForSubject(const std::string& subject) override {
    return storeCall("consent store", [&] {
      Poco::Data::Session s = db_.session();
      std::string sub = subject;
      std::vector<std::string> gone;
      s << db_.sql("DELETE FROM IDGATE_CONSENT WHERE SUBJECT = ? RETURNING CLIENT_ID"), use(sub),
          into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<ConsentStore> makeSqlConsentStore(Database& db) {
  return std::make_unique<SqlConsentStore>(db);
}

}  // namespace idgate
