#include "store/jti_purger.h"

#include <Poco/Logger.h>

#include <algorithm>

#include "store/store_error.h"

namespace idgate {

JtiPurger::JtiPurger(JtiStore& store, const Clock& clock, int64_t interval_s, int batch,
                     std::vector<ExtraPurge> extra)
    : store_(store),
      clock_(clock),
      interval_s_(interval_s),
      batch_(batch),
      extra_(std::move(extra)),
      thread_([this] { run(); }) {}

JtiPurger::~JtiPurger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

int JtiPurger::purgeOnce() {
  int total = 0;
  for (int n = batch_; n == batch_;) {
    const auto started = std::chrono::steady_clock::now();
    n = store_.purgeExpired(clock_.nowSeconds(), batch_);
    total += n;
    if (n == batch_ && !rest(std::chrono::steady_clock::now() - started)) break;
  }
  return total;
}

bool JtiPurger::rest(std::chrono::steady_clock::duration took) {
  using std::chrono::milliseconds;
  const auto pause =
      std::clamp<std::chrono::steady_clock::duration>(took, milliseconds(2), milliseconds(1000));
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, pause, [this] { return stopping_; });
}

void JtiPurger::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::seconds(interval_s_), [this] { return stopping_; })) {
    lock.unlock();
    try {
      int n = purgeOnce();
      if (n > 0)
        Poco::Logger::get("idgate.store")
            .information("purged " + std::to_string(n) + " expired jti rows");
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.store").warning(std::string("jti purge failed: ") + e.what());
    }
    for (const auto& [what, purge] : extra_) {
      try {
        int64_t n = purge(clock_.nowSeconds());
        if (n > 0)
          Poco::Logger::get("idgate.store")
              .information("purged " + std::to_string(n) + " expired " + what);
      } catch (const StoreError& e) {
        Poco::Logger::get("idgate.store").warning(what + " purge failed: " + e.what());
      }
    }
    lock.lock();
  }
}

}  // namespace idgate
