// JtiStore over Poco::Data. One statement decides, so concurrent callers (threads or server
// processes sharing the database) cannot both see "fresh".
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <vector>

#include "store/database.h"
#include "store/jti_store.h"
#include "store/store_error.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlJtiStore : public JtiStore {
 public:
  explicit SqlJtiStore(Database& db) : db_(db) {}

  Result checkAndInsert(const std::string& client_id, const std::string& jti, int64_t expires_at,
                        int64_t now_s) override {
    try {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      std::string c = client_id, j = jti;
      Poco::Int64 exp = expires_at, created = now_s, cutoff = now_s;
      s << db_.sql("INSERT INTO IDN_OIDC_JTI (JWT_ID, CLIENT_ID, EXP_TIME, TIME_CREATED) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (CLIENT_ID, JWT_ID) DO UPDATE SET "
                   "EXP_TIME = excluded.EXP_TIME, TIME_CREATED = excluded.TIME_CREATED "
                   "WHERE IDN_OIDC_JTI.EXP_TIME < ? RETURNING CLIENT_ID"),
          use(j), use(c), use(exp), use(created), use(cutoff), into(ids), now;
      return ids.empty() ? Result::kReplayed : Result::kFresh;
    } catch (const StoreError&) {
      throw;
    } catch (const Poco::Exception& e) {
      throw StoreError("jti store: " + e.displayText());
    }
  }

  int purgeExpired(int64_t now_s, int limit) override {
    try {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> ids;
      Poco::Int64 cutoff = now_s;
      int lim = limit;
      s << db_.sql("DELETE FROM IDN_OIDC_JTI WHERE (CLIENT_ID, JWT_ID) IN (SELECT CLIENT_ID, "
                   "JWT_ID FROM IDN_OIDC_JTI WHERE EXP_TIME < ? LIMIT ?) RETURNING CLIENT_ID"),
          use(cutoff), use(lim), into(ids), now;
      return static_cast<int>(ids.size());
    } catch (const Poco::Exception& e) {
      throw StoreError("jti store: " + e.displayText());
    }
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<JtiStore> makeSqlJtiStore(Database& db) { return std::make_unique<SqlJtiStore>(db); }

}  // namespace idgate
