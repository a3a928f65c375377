// AuthorizationCodeStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include "crypto/digest.h"
#include "store/authorization_code_store.h"
#include "store/database.h"
#include "store/store_call.h"
#include "store/store_error.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

constexpr const char* kColumns =
    "CODE_HASH, CLIENT_ID, REDIRECT_URI, SUBJECT, SCOPE, NONCE, CODE_CHALLENGE, SESSION_ID, "
    "AUTH_TIME, EXPIRES_AT, USED_AT, ISSUED_JTI, ISSUED_EXP, DPOP_JKT";

class SqlAuthorizationCodeStore : public AuthorizationCodeStore {
 public:
  explicit SqlAuthorizationCodeStore(Database& db) : db_(db) {}

  bool insert(const AuthorizationCode& c) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> hashes;
      AuthorizationCode v = c;
      Poco::Int64 auth_time = c.auth_time, expires_at = c.expires_at;
      s << db_.sql(
          "INSERT INTO IDGATE_AUTHZ_CODE (CODE_HASH, CLIENT_ID, REDIRECT_URI, SUBJECT, SCOPE, "
          "NONCE, CODE_CHALLENGE, SESSION_ID, AUTH_TIME, EXPIRES_AT, DPOP_JKT) VALUES (?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING CODE_HASH"),
          use(v.code_hash), use(v.client_id), use(v.redirect_uri), use(v.subject), use(v.scope),
          use(v.nonce), use(v.code_challenge), use(v.session_id), use(auth_time), use(expires_at),
          use(v.dpop_jkt), into(hashes), now;
      return !hashes.empty();
    });
  }

  std::optional<AuthorizationCode> find(const std::string& code_hash) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::optional<AuthorizationCode> code;
      std::optional<int64_t> used_at;
      read(s, code_hash, &code, &used_at);
      if (code && used_at) code->used_at = *used_at;
      return code;
    });
  }

  Redemption redeem(const std::string& code_hash, int64_t now_s, const std::string& issued_jti,
                    int64_t issued_expires_at) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::string hash = code_hash, jti = issued_jti;
      Poco::Int64 at = now_s, exp = issued_expires_at;
      // One statement decides: of two concurrent exchanges only one sees USED_AT still NULL.
      std::vector<std::string> won;
      s << db_.sql(
          "UPDATE IDGATE_AUTHZ_CODE SET USED_AT = ?, ISSUED_JTI = ?, ISSUED_EXP = ? WHERE "
          "CODE_HASH = ? AND USED_AT IS NULL AND EXPIRES_AT >= ? RETURNING CODE_HASH"),
          use(at), use(jti), use(exp), use(hash), use(at), into(won), now;
      Redemption r;
      std::optional<AuthorizationCode> code;
      std::optional<int64_t> used_at;
      read(s, hash, &code, &used_at);
      if (!code) return r;  // kUnknown
      if (used_at) code->used_at = *used_at;
      r.code = code;
      if (!won.empty()) {
        r.outcome = Outcome::kRedeemed;
      } else if (used_at) {
        r.outcome = Outcome::kReplayed;
      } else {
        r.outcome = Outcome::kExpired;
        r.code.reset();
      }
      return r;
    });
  }

  int64_t removeForSession(const std::string& session_id) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::string sid = session_id;
      std::vector<std::string> gone;
      s << db_.sql(
          "DELETE FROM IDGATE_AUTHZ_CODE WHERE SESSION_ID = ? AND USED_AT IS NULL RETURNING "
          "CODE_HASH"),
          use(sid), into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

  int64_t purge(int64_t before) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      Poco::Int64 b = before;
      std::vector<std::string> gone;
      s << db_.sql("DELETE FROM IDGATE_AUTHZ_CODE WHERE EXPIRES_AT < ? RETURNING CODE_HASH"),
          use(b), into(gone), now;
      return static_cast<int64_t>(gone.size());
    });
  }

 private:
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    return storeCall("authorization code store", std::forward<F>(f));
  }

  void read(Poco::Data::Session& s, const std::string& hash, std::optional<AuthorizationCode>* out,
            std::optional<int64_t>* used_at) {
    Poco::Data::Statement st(s);
    std::string key = hash;
    st << db_.sql(std::string("SELECT ") + kColumns +
                  " FROM IDGATE_AUTHZ_CODE WHERE CODE_HASH = ?"),
        use(key);
    st.execute();
    Poco::Data::RecordSet rs(st);
    if (!rs.moveFirst()) return;
    AuthorizationCode c;
    c.code_hash = rs.value(0).convert<std::string>();
    c.client_id = rs.value(1).convert<std::string>();
    c.redirect_uri = rs.value(2).convert<std::string>();
    c.subject = rs.value(3).convert<std::string>();
    c.scope = rs.value(4).convert<std::string>();
    c.nonce = rs.value(5).convert<std::string>();
    c.code_challenge = rs.value(6).convert<std::string>();
    c.session_id = rs.value(7).convert<std::string>();
    c.auth_time = rs.value(8).convert<Poco::Int64>();
    c.expires_at = rs.value(9).convert<Poco::Int64>();
    if (!rs.value(10).isEmpty()) *used_at = rs.value(10).convert<Poco::Int64>();
    if (!rs.value(11).isEmpty()) c.issued_jti = rs.value(11).convert<std::string>();
    if (!rs.value(12).isEmpty()) c.issued_expires_at = rs.value(12).convert<Poco::Int64>();
    c.dpop_jkt = rs.value(13).convert<std::string>();
    *out = std::move(c);
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<AuthorizationCodeStore> makeSqlAuthorizationCodeStore(Database& db) {
  return std::make_unique<SqlAuthorizationCodeStore>(db);
}

std::string authorizationCodeHash(const std::string& code) { return crypto::sha256Hex(code); }

}  // namespace idgate
