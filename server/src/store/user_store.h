// Local users: username, subject, claims and a KDF hash of the password. An interface, so
// tests can substitute a failing or in-memory store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace idgate {

class Database;

struct User {
  std::string username;
  std::string subject;             ///< the token's sub; stable when the username changes
  std::string claims_json = "{}";  ///< extra claims (a JSON object)
  std::string password_hash;       ///< crypto::hashPassword form; never leaves the host
  int64_t created_at = 0;
  int64_t updated_at = 0;
  bool disabled = false;  ///< cannot sign in
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  /// All calls throw StoreError on a database failure.
  virtual std::optional<User> find(const std::string& username) = 0;
  virtual std::vector<User> list() = 0;
  /// false when the username or the subject is taken.
  virtual bool insert(const User& user) = 0;
  /// Writes claims, password hash, disabled and updated_at; false when there is no such user.
  virtual bool update(const User& user) = 0;
  virtual bool remove(const std::string& username) = 0;
};

std::unique_ptr<UserStore> makeSqlUserStore(Database& db);

}  // namespace idgate
