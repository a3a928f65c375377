// Deletes expired IDN_OIDC_JTI rows in the background, in bounded batches.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "store/jti_store.h"

namespace idgate {

class JtiPurger {
 public:
  /// Another table's expired rows, purged on the same schedule: (what, purge(now) → rows).
  using ExtraPurge = std::pair<std::string, std::function<int64_t(int64_t)>>;
  JtiPurger(JtiStore& store, const Clock& clock, int64_t interval_s, int batch,
            std::vector<ExtraPurge> extra = {});
  ~JtiPurger();

  /// One pass: batches until a batch comes back short. Returns rows deleted (tests call it).
  /// Between two batches it rests as long as the last one took, so that the table's other
  /// writers (the JTI committer, whose SQLite busy handler backs off up to 100 ms a retry)
  /// hold the write lock at least half of the pass instead of waiting it out.
  int purgeOnce();

 private:
  void run();
  /// Waits `took` (within 2 ms..1 s); false when the purger is being stopped.
  bool rest(std::chrono::steady_clock::duration took);

  JtiStore& store_;
  const Clock& clock_;
  int64_t interval_s_;
  int batch_;
  std::vector<ExtraPurge> extra_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace idgate
