#include "../../plugins/jwt_common/jti_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/jti_purger.h"
#include "test_support.h"

namespace idgate {
namespace {

TEST(JtiCacheTest, RemembersUntilEarlierOfExpiryAndTimeout) {
  plugins::JtiCache cache(true, 100, 10);
  cache.remember("c", "j", 1050, 1000);
  EXPECT_TRUE(cache.knownUsed("c", "j", 1049));
  EXPECT_FALSE(cache.knownUsed("c", "j", 1050));
  cache.remember("c", "k", 5000, 1000);
  EXPECT_FALSE(cache.knownUsed("c", "k", 1100)) << "timeout bounds the entry";
  EXPECT_FALSE(cache.knownUsed("other", "j", 1001)) << "per client";
}

TEST(JtiCacheTest, CapacityBoundsMemory) {
  plugins::JtiCache cache(true, 1000, 3);
  for (int i = 0; i < 10; ++i) cache.remember("c", std::to_string(i), 2000, 1000);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.knownUsed("c", "9", 1001));
  EXPECT_FALSE(cache.knownUsed("c", "0", 1001)) << "oldest evicted";
}

TEST(JtiCacheTest, DisabledCacheKnowsNothing) {
  plugins::JtiCache cache(false, 1000, 3);
  cache.remember("c", "j", 2000, 1000);
  EXPECT_FALSE(cache.knownUsed("c", "j", 1001));
}

TEST(JtiPurgerTest, PurgesInBatchesUntilShort) {
  test::TempDir dir;
  DatabaseConfig c;
  c.path = dir.file("x.db");
  Database db(c);
  auto store = makeSqlJtiStore(db);
  for (int i = 0; i < 25; ++i) store->checkAndInsert("c", std::to_string(i), 50, 10);
  store->checkAndInsert("c", "live", 5000, 10);
  test::FixedClock clock(100);
  JtiPurger purger(*store, clock, 3600, 10);
  EXPECT_EQ(purger.purgeOnce(), 25);
  EXPECT_EQ(store->checkAndInsert("c", "live", 5000, 100), JtiStore::Result::kReplayed);
  EXPECT_EQ(store->checkAndInsert("c", "3", 5000, 100), JtiStore::Result::kFresh);
}

/// A table that always has `full_batches` batches of expired rows left (-1: endless); each
/// DELETE takes `each`. Records when each call started and ended.
class SlowExpiredRows : public JtiStore {
 public:
  SlowExpiredRows(std::chrono::milliseconds each, int full_batches)
      : each_(each), full_batches_(full_batches) {}
  Result checkAndInsert(const std::string&, const std::string&, int64_t, int64_t) override {
    return Result::kFresh;
  }
  int purgeExpired(int64_t, int limit) override {
    auto started = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(each_);
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.emplace_back(started, std::chrono::steady_clock::now());
    return full_batches_ < 0 || static_cast<int>(calls_.size()) <= full_batches_ ? limit : 0;
  }
  /// (started, ended) of each DELETE.
  using Calls = std::vector<
      std::pair<std::chrono::steady_clock::time_point, std::chrono::steady_clock::time_point>>;
  Calls calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  std::chrono::milliseconds each_;
  int full_batches_;
  std::mutex mutex_;
  Calls calls_;
};

TEST(JtiPurgerTest, RestsBetweenBatchesAsLongAsEachTook) {
  SlowExpiredRows store(std::chrono::milliseconds(20), 3);
  test::FixedClock clock(100);
  JtiPurger purger(store, clock, 3600, 10);
  EXPECT_EQ(purger.purgeOnce(), 30);
  auto calls = store.calls();
  ASSERT_EQ(calls.size(), 4u) << "three full batches, then a short one ends the pass";
  for (size_t i = 1; i < calls.size(); ++i) {
    auto took = calls[i - 1].second - calls[i - 1].first;
    auto rested = calls[i].first - calls[i - 1].second;
    EXPECT_GE(rested, took) << "batch " << i << ": the lock is left free as long as it was held";
  }
}

TEST(JtiPurgerTest, StopsBetweenBatchesWhenDestroyed) {
  SlowExpiredRows store(std::chrono::milliseconds(1), -1);
  test::FixedClock clock(100);
  {
    JtiPurger purger(store, clock, 0, 10);  // purges at once, and the table never runs dry
    while (store.calls().size() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }  // before, the destructor waited for the pass to end, which here never comes
  const auto destroyed = std::chrono::steady_clock::now();
  EXPECT_LE(store.calls().back().second, destroyed) << "no batch runs after the destructor";
}

}  // namespace
}  // namespace idgate
