#include "admin/console_sessions.h"

#include <algorithm>

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/random.h"

namespace idgate {

ConsoleSessions::Started ConsoleSessions::start(const std::string& username) {
  Started s{crypto::randomToken(32), crypto::randomToken(32)};
  const int64_t now = clock_.nowSeconds();
  std::lock_guard<std::mutex> lock(mutex_);
  if (by_hash_.size() >= kMaxSessions) {
    // Full: drop the expired ones, then the least recently used.
    for (auto it = by_hash_.begin(); it != by_hash_.end();) {
      it = expired(it->second, now) ? by_hash_.erase(it) : std::next(it);
    }
    if (by_hash_.size() >= kMaxSessions) {
      auto oldest = std::min_element(by_hash_.begin(), by_hash_.end(), [](auto& a, auto& b) {
        return a.second.last_seen < b.second.last_seen;
      });
      by_hash_.erase(oldest);
    }
  }
  by_hash_[crypto::sha256Hex(s.id)] = Entry{Session{username, s.csrf_token}, now, now};
  return s;
}

std::optional<ConsoleSessions::Session> ConsoleSessions::find(const std::string& id) {
  if (id.empty()) return std::nullopt;
  const std::string key = crypto::sha256Hex(id);
  const int64_t now = clock_.nowSeconds();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_hash_.find(key);
  if (it == by_hash_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  return it->second.session;
}

void ConsoleSessions::touch(const std::string& id) {
  const std::string key = crypto::sha256Hex(id);
  const int64_t now = clock_.nowSeconds();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_hash_.find(key);
  if (it != by_hash_.end()) it->second.last_seen = now;
}

bool ConsoleSessions::expired(const Entry& e, int64_t now) const {
  return now - e.last_seen > idle_timeout_s_ || now - e.created > kAbsoluteLifetimeSeconds;
}

bool ConsoleSessions::csrfMatches(const Session& session, const std::string* header) {
  return header != nullptr && !session.csrf_token.empty() &&
         crypto::constantTimeEquals(*header, session.csrf_token);
}

void ConsoleSessions::end(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  by_hash_.erase(crypto::sha256Hex(id));
}

void ConsoleSessions::endFor(const std::string& username) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    it = it->second.session.username == username ? by_hash_.erase(it) : std::next(it);
  }
}

}  // namespace idgate
