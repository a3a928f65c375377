#include "store/jti_purger.h"

#include <Poco/Logger.h>

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
    n = store_.purgeExpired(clock_.nowSeconds(), batch_);
    total += n;
  }
  return total;
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
