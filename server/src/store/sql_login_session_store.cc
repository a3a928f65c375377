// LoginSessionStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "store/database.h"
#include "store/login_session_store.h"
#include "store/store_call.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlLoginSessionStore : public LoginSessionStore {
 public:
  explicit SqlLoginSessionStore(Database& db) : db_(db) {}

  void insert(const LoginSession& v) override {
    storeCall("login session store", [&] {
      Poco::Data::Session s = db_.session();
      LoginSession c = v;
      Poco::Int64 auth_time = v.auth_time, expires_at = v.expires_at;
      s << db_.sql(
          "INSERT INTO IDGATE_LOGIN_SESSION (SESSION_HASH, SID, SUBJECT, USERNAME, CLAIMS, ACR, "
          "AMR, AUTH_TIME, EXPIRES_AT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
          use(c.session_hash), use(c.sid), use(c.subject), use(c.username), use(c.claims_json),
          use(c.acr), use(c.amr_json), use(auth_time), use(expires_at), now;
    });
  }

  std::optional<LoginSession> find(const std::string& session_hash, int64_t now_s) override {
    return select("SESSION_HASH", session_hash, now_s);
  }

  std::optional<LoginSession> findBySid(const std::string& sid, int64_t now_s) override {
    return select("SID", sid, now_s);
  }

  bool remove(const std::string& session_hash) override {
    return deleteWhere("SESSION_HASH", session_hash) > 0;
  }

  int64_t removeForSubject(const std::string& subject) override {
    return deleteWhere("SUBJECT", subject);
  }

  int64_t purge(int64_t before) override {
    return storeCall("login session store", [&] {
      Poco::Data::Session s = db_.session();
      Poco::Int64 b = before;
      std::vector<std::string> gone;
      s << db_.sql("DELETE FROM IDGATE_LOGIN_SESSION WHERE EXPIRES_AT < ? RETURNING SID"), use(b),
          into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

 private:
  int64_t deleteWhere(const char* column, const std::string& value) {
    return storeCall("login session store", [&] {
      Poco::Data::Session s = db_.session();
      std::string v = value;
      std::vector<std::string> gone;
      s << db_.sql(std::string("DELETE FROM IDGATE_LOGIN_SESSION WHERE ") + column +
                   " = ? RETURNING SID"),
          use(v), into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

  std::optional<LoginSession> select(const char* column, const std::string& value, int64_t now_s) {
    return storeCall("login session store", [&]() -> std::optional<LoginSession> {
      Poco::Data::Session s = db_.session();
      Poco::Data::Statement st(s);
      std::string v = value;
      Poco::Int64 at = now_s;
      st << db_.sql(std::string("SELECT SESSION_HASH, SID, SUBJECT, USERNAME, CLAIMS, ACR, AMR, "
                                "AUTH_TIME, EXPIRES_AT FROM IDGATE_LOGIN_SESSION WHERE ") +
                    column + " = ? AND EXPIRES_AT > ?"),
          use(v), use(at);
      st.execute();
      Poco::Data::RecordSet rs(st);
      if (!rs.moveFirst()) return std::nullopt;
      LoginSession out;
      out.session_hash = rs.value(0).convert<std::string>();
      out.sid = rs.value(1).convert<std::string>();
      out.subject = rs.value(2).convert<std::string>();
      out.username = rs.value(3).convert<std::string>();
      out.claims_json = rs.value(4).convert<std::string>();
      out.acr = rs.value(5).convert<std::string>();
      out.amr_json = rs.value(6).convert<std::string>();
      out.auth_time = rs.value(7).convert<Poco::Int64>();
      out.expires_at = rs.value(8).convert<Poco::Int64>();
      return out;
    });
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<LoginSessionStore> makeSqlLoginSessionStore(Database& db) {
  return std::make_unique<SqlLoginSessionStore>(db);
}

}  // namespace idgate
