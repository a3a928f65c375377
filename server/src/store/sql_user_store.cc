// UserStore over Poco::Data: the same SQL for SQLite and PostgreSQL.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include "store/database.h"
#include "store/store_call.h"
#include "store/store_error.h"
#include "store/user_store.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class SqlUserStore : public UserStore {
 public:
  explicit SqlUserStore(Database& db) : db_(db) {}

  std::optional<User> find(const std::string& username) override {
    auto rows = select("WHERE USERNAME = ?", username);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  }

  std::vector<User> list() override { return select("ORDER BY USERNAME", std::nullopt); }

  bool insert(const User& u) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> names;
      std::string name = u.username, subject = u.subject, claims = u.claims_json,
                  hash = u.password_hash;
      Poco::Int64 created = u.created_at, updated = u.updated_at;
      int disabled = u.disabled ? 1 : 0;
      s << db_.sql(
          "INSERT INTO IDGATE_USER (USERNAME, SUBJECT, CLAIMS, PASSWORD_HASH, CREATED_AT, "
          "UPDATED_AT, DISABLED) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING "
          "USERNAME"),
          use(name), use(subject), use(claims), use(hash), use(created), use(updated),
          use(disabled), into(names), now;
      return !names.empty();
    });
  }

  bool update(const User& u) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> names;
      std::string name = u.username, claims = u.claims_json, hash = u.password_hash;
      int disabled = u.disabled ? 1 : 0;
      Poco::Int64 updated = u.updated_at;
      s << db_.sql(
          "UPDATE IDGATE_USER SET CLAIMS = ?, PASSWORD_HASH = ?, DISABLED = ?, UPDATED_AT = ? "
          "WHERE USERNAME = ? RETURNING USERNAME"),
          use(claims), use(hash), use(disabled), use(updated), use(name), into(names), now;
      return !names.empty();
    });
  }

  bool remove(const std::string& username) override {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      std::vector<std::string> names;
      std::string name = username;
      s << db_.sql("DELETE FROM IDGATE_USER WHERE USERNAME = ? RETURNING USERNAME"), use(name),
          into(names), now;
      return !names.empty();
    });
  }

 private:
  template <typename F>
  auto guard(F&& f) -> decltype(f()) {
    return storeCall("user store", std::forward<F>(f));
  }

  std::vector<User> select(const std::string& tail, const std::optional<std::string>& name) {
    return guard([&] {
      Poco::Data::Session s = db_.session();
      Poco::Data::Statement st(s);
      std::string key = name.value_or("");
      st << db_.sql(
          "SELECT USERNAME, SUBJECT, CLAIMS, PASSWORD_HASH, CREATED_AT, UPDATED_AT, DISABLED "
          "FROM IDGATE_USER " +
          tail);
      if (name) st, use(key);
      st.execute();
      Poco::Data::RecordSet rs(st);
      std::vector<User> out;
      for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        User u;
        u.username = rs.value(0).convert<std::string>();
        u.subject = rs.value(1).convert<std::string>();
        u.claims_json = rs.value(2).convert<std::string>();
        u.password_hash = rs.value(3).convert<std::string>();
        u.created_at = rs.value(4).convert<Poco::Int64>();
        u.updated_at = rs.value(5).convert<Poco::Int64>();
        u.disabled = rs.value(6).convert<int>() != 0;
        out.push_back(std::move(u));
      }
      return out;
    });
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<UserStore> makeSqlUserStore(Database& db) {
  return std::make_unique<SqlUserStore>(db);
}

}  // namespace idgate
