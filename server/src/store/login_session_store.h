// Sign-in sessions of the interactive login (OIDC Core): who signed in, when and how, kept in
// the database so every node sharing it knows the session. The browser holds only a sealed
// random id; the table holds its SHA-256.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace idgate {

class Database;

struct LoginSession {
  std::string session_hash;  ///< hex SHA-256 of the cookie's random id
  std::string sid;           ///< the ID token's `sid` (another random value)
  std::string subject;
  std::string username;
  std::string claims_json = "{}";  ///< what the user authenticator said about the user
  std::string acr;                 ///< empty: none stated
  std::string amr_json = "[]";     ///< a JSON array
  int64_t auth_time = 0;
  int64_t expires_at = 0;
};

class LoginSessionStore {
 public:
  virtual ~LoginSessionStore() = default;
  /// All calls throw StoreError on a database failure.
  virtual void insert(const LoginSession& session) = 0;
  /// The session, if it exists and has not expired at `now`.
  virtual std::optional<LoginSession> find(const std::string& session_hash, int64_t now) = 0;
  virtual std::optional<LoginSession> findBySid(const std::string& sid, int64_t now) = 0;
  /// Ends one session; false when there was none.
  virtual bool remove(const std::string& session_hash) = 0;
  /// Ends every session of `subject` (a disabled or deleted user); returns how many.
  virtual int64_t removeForSubject(const std::string& subject) = 0;
  virtual int64_t purge(int64_t before) = 0;
};

std::unique_ptr<LoginSessionStore> makeSqlLoginSessionStore(Database& db);

}  // namespace idgate
