// RefreshTokenStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "store/database.h"
#include "store/refresh_token_store.h"
#include "store/store_call.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlRefreshTokenStore : public RefreshTokenStore {
 public:
  explicit SqlRefreshTokenStore(Database& db) : db_(db) {}

  void insert(const RefreshToken& v) override {
    storeCall("refresh token store", [&] {
      Poco::Data::Session s = db_.session();
      RefreshToken c = v;
      Poco::Int64 issued = v.issued_at, exp = v.expires_at, family_exp = v.family_expires_at,
                  access_exp = v.access_expires_at;
      s << db_.sql(
          "INSERT INTO IDGATE_REFRESH_TOKEN (TOKEN_HASH, FAMILY_ID, CLIENT_ID, SUBJECT, SCOPE, "
          "SESSION_ID, SIGN_IN, ISSUED_AT, EXPIRES_AT, FAMILY_EXPIRES_AT, REVOKED, ACCESS_JTI, "
          "ACCESS_EXPIRES_AT, JKT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)"),
          use(c.token_hash), use(c.family_id), use(c.client_id), use(c.subject), use(c.scope),
          use(c.session_id), use(c.sign_in_json), use(issued), use(exp), use(family_exp),
          use(c.access_jti), use(access_exp), use(c.jkt), now;
    });
  }

  std::optional<RefreshToken> find(const std::string& token_hash) override {
    return storeCall("refresh token store", [&]() -> std::optional<RefreshToken> {
      Poco::Data::Session s = db_.session();
      Poco::Data::Statement st(s);
      std::string h = token_hash;
      st << db_.sql(
          "SELECT TOKEN_HASH, FAMILY_ID, CLIENT_ID, SUBJECT, SCOPE, SESSION_ID, SIGN_IN, "
          "ISSUED_AT, EXPIRES_AT, FAMILY_EXPIRES_AT, USED_AT, REVOKED, ACCESS_JTI, "
          "ACCESS_EXPIRES_AT, JKT FROM IDGATE_REFRESH_TOKEN "
          "WHERE TOKEN_HASH = ?"),
          use(h);
      st.execute();
      Poco::Data::RecordSet rs(st);
      if (!rs.moveFirst()) return std::nullopt;
      RefreshToken t;
      t.token_hash = rs.value(0).convert<std::string>();
      t.family_id = rs.value(1).convert<std::string>();
      t.client_id = rs.value(2).convert<std::string>();
      t.subject = rs.value(3).convert<std::string>();
      t.scope = rs.value(4).convert<std::string>();
      t.session_id = rs.value(5).convert<std::string>();
      t.sign_in_json = rs.value(6).convert<std::string>();
      t.issued_at = rs.value(7).convert<Poco::Int64>();
      t.expires_at = rs.value(8).convert<Poco::Int64>();
      t.family_expires_at = rs.value(9).convert<Poco::Int64>();
      if (!rs.value(10).isEmpty()) t.used_at = rs.value(10).convert<Poco::Int64>();
      t.revoked = rs.value(11).convert<int>() != 0;
      t.access_jti = rs.value(12).convert<std::string>();
      t.access_expires_at = rs.value(13).convert<Poco::Int64>();
      t.jkt = rs.value(14).convert<std::string>();
      return t;
    });
  }

  bool markUsed(const std::string& token_hash, int64_t now_s) override {
    return storeCall("refresh token store", [&] {
      Poco::Data::Session s = db_.session();
      std::string h = token_hash;
      Poco::Int64 at = now_s;
      std::vector<std::string> won;
      // One statement decides: of concurrent rotations only one sees USED_AT still NULL.
      s << db_.sql(
          "UPDATE IDGATE_REFRESH_TOKEN SET USED_AT = ? WHERE TOKEN_HASH = ? AND USED_AT IS NULL "
          "AND REVOKED = 0 AND EXPIRES_AT > ? RETURNING TOKEN_HASH"),
          use(at), use(h), use(at), into(won), now;
      return !won.empty();
    });
  }

  int64_t revokeFamily(const std::string& family_id) override {
    return storeCall("refresh token store", [&] {
      Poco::Data::Session s = db_.session();
      std::string f = family_id;
      std::vector<std::string> hit;
      s << db_.sql(
          "UPDATE IDGATE_REFRESH_TOKEN SET REVOKED = 1 WHERE FAMILY_ID = ? AND REVOKED = 0 "
          "RETURNING TOKEN_HASH"),
          use(f), into(hit), now;
      return static_cast<int64_t>(hit.size());
    });
  }

  std::vector<std::pair<std::string, int64_t>> familyAccessTokens(const std::string& family_id,
                                                                  int64_t now_s) override {
    return storeCall("refresh token store", [&] {
      Poco::Data::Session s = db_.session();
      std::string f = family_id;
      Poco::Int64 at = now_s;
      std::vector<std::string> jtis;
      std::vector<Poco::Int64> exps;
      s << db_.sql(
          "SELECT ACCESS_JTI, ACCESS_EXPIRES_AT FROM IDGATE_REFRESH_TOKEN WHERE FAMILY_ID = ? "
          "AND ACCESS_JTI <> '' AND ACCESS_EXPIRES_AT > ?"),
          use(f), use(at), into(jtis), into(exps), now;
      std::vector<std::pair<std::string, int64_t>> out;
      for (size_t i = 0; i < jtis.size() && i < exps.size(); ++i) {
        out.emplace_back(jtis[i], static_cast<int64_t>(exps[i]));
      }
      return out;
    });
  }

  int64_t purge(int64_t before) override {
    return storeCall("refresh token store", [&] {
      Poco::Data::Session s = db_.session();
      Poco::Int64 b = before;
      std::vector<std::string> gone;
      // A family's rows stay until the family ends: a rotated token must stay known to be told
      // from an unknown one (reuse detection).
      s << db_.sql(
          "DELETE FROM IDGATE_REFRESH_TOKEN WHERE FAMILY_EXPIRES_AT < ? RETURNING TOKEN_HASH"),
          use(b), into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<RefreshTokenStore> makeSqlRefreshTokenStore(Database& db) {
  return std::make_unique<SqlRefreshTokenStore>(db);
}

}  // namespace idgate
