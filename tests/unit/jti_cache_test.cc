#include "../../plugins/jwt_common/jti_cache.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace idgate
