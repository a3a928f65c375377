// The admin console's sessions: an HttpOnly cookie naming a random session id (kept here only
// as its SHA-256), a CSRF token every call but sign-in must echo in X-CSRF-Token, an idle
// timeout and an absolute lifetime. In memory: a restart signs everyone out of the console,
// and with several nodes the console sticks to the node that signed it in.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"

namespace idgate {

class ConsoleSessions {
 public:
  static constexpr const char* kCookie = "idgate_console";
  static constexpr int64_t kAbsoluteLifetimeSeconds = 8 * 3600;
  static constexpr size_t kMaxSessions = 10000;

  ConsoleSessions(const Clock& clock, int64_t idle_timeout_s)
      : clock_(clock), idle_timeout_s_(idle_timeout_s) {}

  struct Started {
    std::string id;  ///< the cookie's value
    std::string csrf_token;
  };
  Started start(const std::string& username);

  struct Session {
    std::string username;
    std::string csrf_token;
  };
  /// The live session `id` names, or nullopt: unknown, idle for longer than the timeout, or
  /// older than kAbsoluteLifetimeSeconds. Its idle time goes on.
  std::optional<Session> find(const std::string& id);
  /// Restarts the idle time of session `id` (a call made with its CSRF token).
  void touch(const std::string& id);
  /// Constant-time comparison of the header's value with the session's token.
  static bool csrfMatches(const Session& session, const std::string* header);

  void end(const std::string& id);
  /// Ends every session of `username` (the user was disabled, deleted or changed).
  void endFor(const std::string& username);
  int64_t idleTimeoutSeconds() const { return idle_timeout_s_; }

 private:
  struct Entry {
    Session session;
    int64_t created = 0;
    int64_t last_seen = 0;
  };
  /// Idle longer than the timeout, or older than kAbsoluteLifetimeSeconds.
  bool expired(const Entry& e, int64_t now) const;

  const Clock& clock_;
  const int64_t idle_timeout_s_;
  std::mutex mutex_;
  std::map<std::string, Entry> by_hash_;  ///< SHA-256 of the id -> session
};

}  // namespace idgate
