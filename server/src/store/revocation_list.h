// Revoked access tokens as the resource server asks about them at every request: a decorator
// of the RevokedTokenStore. A token this node revokes is refused here at once; what other nodes
// sharing the database revoke is read every `propagation_s` seconds (only rows revoked since the
// newest one read, by the database's clock, with an overlap for late commits), or at every check
// when `propagation_s` is 0. A read that fails while the list is stale answers kUnknown: the
// caller refuses with a server error rather than guess "not revoked"; for a second after a
// failure no other read is tried, so a database outage does not queue every request behind one.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/revoked_token_store.h"

namespace idgate {

class RevocationList : public RevokedTokenStore {
 public:
  RevocationList(std::unique_ptr<RevokedTokenStore> inner, int64_t propagation_s);

  /// Written through to the store, then known here at once.
  void revoke(const std::string& jti, int64_t expires_at) override;
  /// Exact: asks the store (introspection, userinfo).
  bool isRevoked(const std::string& jti) override { return inner_->isRevoked(jti); }
  Since revokedSince(int64_t since, int64_t live_at) override {
    return inner_->revokedSince(since, live_at);
  }
  /// Keeps what expired less than kExpiredKeptSeconds before `before`: a validator's clock skew
  /// may still accept such a token.
  int64_t purge(int64_t before) override;

  enum class Verdict { kLive, kRevoked, kUnknown };
  /// From memory, reading newer revocations first when the last read is `propagation_s` old.
  /// Never throws.
  Verdict check(const std::string& jti, int64_t now);

  /// How far back each read looks before the newest revocation it has seen (seconds): a row
  /// stamped earlier but committed after the last read is still found.
  static constexpr int64_t kOverlapSeconds = 60;
  /// How long an expired token stays listed: a validator's clock skew may still accept it.
  static constexpr int64_t kExpiredKeptSeconds = 3600;

 private:
  std::unique_ptr<RevokedTokenStore> inner_;
  const int64_t propagation_s_;
  std::mutex mu_;                                     ///< guards revoked_, read_at_, loaded_
  std::unordered_map<std::string, int64_t> revoked_;  ///< jti -> expires_at
  int64_t read_at_ = 0;     ///< this node's clock: when the list was last read
  int64_t high_water_ = 0;  ///< the database's clock: the newest revocation read
  int64_t failed_at_ = -1;  ///< when a read last failed (this node's clock)
  bool loaded_ = false;
  std::mutex read_mu_;  ///< one store read at a time; the others wait for its result
};

}  // namespace idgate
