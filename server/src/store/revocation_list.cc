#include "store/revocation_list.h"

#include <Poco/Logger.h>

#include <algorithm>

#include "store/store_error.h"

namespace idgate {

RevocationList::RevocationList(std::unique_ptr<RevokedTokenStore> inner, int64_t propagation_s)
    : inner_(std::move(inner)), propagation_s_(propagation_s) {}

void RevocationList::revoke(const std::string& jti, int64_t expires_at) {
  inner_->revoke(jti, expires_at);
  std::lock_guard<std::mutex> lock(mu_);
  revoked_[jti] = expires_at;
}

int64_t RevocationList::purge(int64_t before) {
  const int64_t cutoff = before - kExpiredKeptSeconds;
  int64_t n = inner_->purge(cutoff);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = revoked_.begin(); it != revoked_.end();) {
    it = it->second < cutoff ? revoked_.erase(it) : std::next(it);
  }
  return n;
}

RevocationList::Verdict RevocationList::check(const std::string& jti, int64_t now) {
  // (A clock stepped back makes the list stale, never fresh for longer.)
  auto fresh = [&] {
    return loaded_ && propagation_s_ > 0 && now >= read_at_ && now - read_at_ < propagation_s_;
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = revoked_.find(jti);
    if (it != revoked_.end() && it->second + kExpiredKeptSeconds >= now) return Verdict::kRevoked;
    if (fresh()) return Verdict::kLive;
  }
  if (propagation_s_ == 0) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (now <= failed_at_) return Verdict::kUnknown;  // failed this second: not again yet
    }
    try {
      return inner_->isRevoked(jti) ? Verdict::kRevoked : Verdict::kLive;
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.store").error(std::string("revocation check: ") + e.what());
      std::lock_guard<std::mutex> lock(mu_);
      failed_at_ = now;
      return Verdict::kUnknown;
    }
  }
  std::lock_guard<std::mutex> reading(read_mu_);
  int64_t since = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fresh()) return revoked_.count(jti) != 0 ? Verdict::kRevoked : Verdict::kLive;
    // A read failed this second (the threads that queued behind it): do not try again yet.
    if (now <= failed_at_) return Verdict::kUnknown;
    if (loaded_) since = std::max<int64_t>(0, high_water_ - kOverlapSeconds);
  }
  RevokedTokenStore::Since read;
  try {
    read = inner_->revokedSince(since, now - kExpiredKeptSeconds);
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store")
        .error(std::string("revocation list could not be read, so idgate's own access tokens "
                           "are refused until it can: ") +
               e.what());
    std::lock_guard<std::mutex> lock(mu_);
    failed_at_ = now;
    return Verdict::kUnknown;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : read.rows) {
    revoked_[r.jti] = r.expires_at;
    // Never past the database's own now: a row stamped ahead (an old node's clock, a failover
    // to a primary whose clock is behind) must not make the next reads skip real rows.
    high_water_ = std::max(high_water_, std::min(r.revoked_at, read.database_now));
  }
  high_water_ = std::min(high_water_, read.database_now);  // the database's clock went back
  for (auto it = revoked_.begin(); it != revoked_.end();) {
    it = it->second + kExpiredKeptSeconds < now ? revoked_.erase(it) : std::next(it);
  }
  read_at_ = now;
  loaded_ = true;
  return revoked_.count(jti) != 0 ? Verdict::kRevoked : Verdict::kLive;
}

}  // namespace idgate
