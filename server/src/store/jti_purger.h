// Deletes expired IDN_OIDC_JTI rows in the background, in bounded batches.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "store/jti_store.h"

namespace idgate {

class JtiPurger {
 public:
  JtiPurger(JtiStore& store, const Clock& clock, int64_t interval_s, int batch);
  ~JtiPurger();

  /// One pass: batches until a batch comes back short. Returns rows deleted (tests call it).
  int purgeOnce();

 private:
  void run();

  JtiStore& store_;
  const Clock& clock_;
  int64_t interval_s_;
  int batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace idgate
