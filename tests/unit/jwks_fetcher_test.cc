#include "jwks/jwks_fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_support.h"

namespace idgate {
namespace {

class ScriptedTransport : public JwksTransport {
 public:
  HttpFetchResult get(const std::string&, const JwksFetchConfig&) override {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    return next;
  }
  std::atomic<int> calls{0};
  int delay_ms = 0;
  HttpFetchResult next{200, R"({"keys":[]})", "max-age=120", ""};
};

class JwksFetcherTest : public ::testing::Test {
 protected:
  JwksFetcherTest() {
    auto t = std::make_unique<ScriptedTransport>();
    transport_ = t.get();
    config_.refetch_interval_s = 30;
    fetcher_ = std::make_unique<JwksFetcher>(config_, clock_, std::move(t));
  }
  test::FixedClock clock_{1000};
  JwksFetchConfig config_;
  ScriptedTransport* transport_;
  std::unique_ptr<JwksFetcher> fetcher_;
  std::string error_;
};

TEST_F(JwksFetcherTest, CachesForMaxAgeThenRefetches) {
  EXPECT_TRUE(fetcher_->get("u", false, &error_));
  EXPECT_TRUE(fetcher_->get("u", false, &error_));
  EXPECT_EQ(transport_->calls, 1);
  clock_.advance(121);
  EXPECT_TRUE(fetcher_->get("u", false, &error_));
  EXPECT_EQ(transport_->calls, 2);
}

TEST_F(JwksFetcherTest, UnknownKidRefetchIsThrottled) {
  fetcher_->get("u", false, &error_);
  clock_.advance(10);
  fetcher_->get("u", true, &error_);
  EXPECT_EQ(transport_->calls, 1) << "within the interval";
  clock_.advance(21);
  fetcher_->get("u", true, &error_);
  EXPECT_EQ(transport_->calls, 2);
}

TEST_F(JwksFetcherTest, ThrottleCountsMillisecondsNotSecondBoundaries) {
  clock_.advanceMillis(999);  // just before a second's boundary
  fetcher_->get("u", false, &error_);
  clock_.advanceMillis(29002);  // 29.002 s later, but 30 whole-second ticks
  fetcher_->get("u", true, &error_);
  EXPECT_EQ(transport_->calls, 1) << "within the interval";
  clock_.advanceMillis(998);
  fetcher_->get("u", true, &error_);
  EXPECT_EQ(transport_->calls, 2);
}

TEST_F(JwksFetcherTest, FailedRefetchKeepsLastGoodCopy) {
  ASSERT_TRUE(fetcher_->get("u", false, &error_));
  transport_->next = {500, "", "", "jwks_uri answered HTTP 500"};
  clock_.advance(200);
  auto body = fetcher_->get("u", false, &error_);
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, R"({"keys":[]})");
  EXPECT_FALSE(fetcher_->get("other", false, &error_));
  EXPECT_EQ(error_, "jwks_uri answered HTTP 500");
}

TEST_F(JwksFetcherTest, NonJwksBodyIsAnError) {
  transport_->next = {200, R"({"not":"keys"})", "", ""};
  EXPECT_FALSE(fetcher_->get("u", false, &error_));
  EXPECT_EQ(error_, "jwks_uri did not return a JWK set");
}

TEST_F(JwksFetcherTest, OneFetchAtATimePerUri) {
  transport_->delay_ms = 200;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&] {
      std::string e;
      EXPECT_TRUE(fetcher_->get("u", false, &e));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(transport_->calls, 1);
}

TEST(JwksCacheControlTest, BoundsApply) {
  JwksFetchConfig c;
  c.min_cache_s = 60;
  c.max_cache_s = 3600;
  EXPECT_EQ(JwksFetcher::cacheSeconds("public, max-age=300", c), 300);
  EXPECT_EQ(JwksFetcher::cacheSeconds("max-age=5", c), 60);
  EXPECT_EQ(JwksFetcher::cacheSeconds("max-age=999999", c), 3600);
  EXPECT_EQ(JwksFetcher::cacheSeconds("no-store", c), 60);
  EXPECT_EQ(JwksFetcher::cacheSeconds("", c), 60);
}

}  // namespace
}  // namespace idgate
