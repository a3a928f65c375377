// Deletes expired IDN_OIDC_JTI rows in the background, in bounded batches.
#pragma once

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
  int purgeOnce();

 private:
  void run();

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
