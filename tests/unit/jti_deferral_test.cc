// JtiDeferral: the rows of one request decided by the store's committer, the response held
// until all of them are durable.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "store/jti_deferral.h"
#include "store/store_error.h"

namespace idgate {
namespace {

using Verdict = JtiDeferral::Verdict;

TEST(JtiDeferralTest, ActiveOnItsThreadOnlyWhileItLives) {
  EXPECT_EQ(JtiDeferral::current(), nullptr);
  {
    JtiDeferral d;
    EXPECT_EQ(JtiDeferral::current(), &d);
    std::thread([] { EXPECT_EQ(JtiDeferral::current(), nullptr); }).join();
    EXPECT_TRUE(d.empty());
  }
  EXPECT_EQ(JtiDeferral::current(), nullptr);
}

TEST(JtiDeferralTest, TheVerdictWaitsForEveryRowAndTheWorstWins) {
  JtiStore::Done first, second;
  JtiDeferral::WhenDurable when;
  {
    JtiDeferral d;
    first = d.add();
    second = d.add();
    EXPECT_FALSE(d.empty());
    when = d.whenDurable();
  }
  std::optional<Verdict> got;
  when([&](Verdict v) { got = v; });
  first(JtiStore::Result::kFresh, nullptr);
  EXPECT_FALSE(got.has_value()) << "released before every row was decided";
  std::thread([&] { second(JtiStore::Result::kReplayed, nullptr); }).join();  // the committer
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Verdict::kReplayed);
}

TEST(JtiDeferralTest, AStoreFailureIsTheVerdictWhateverElseWasFresh) {
  JtiDeferral d;
  auto a = d.add();
  auto b = d.add();
  a(JtiStore::Result::kReplayed, nullptr);
  b(JtiStore::Result::kReplayed, std::make_exception_ptr(StoreError("disk full")));
  std::optional<Verdict> got;
  d.whenDurable()([&](Verdict v) { got = v; });  // decided already: runs at once
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Verdict::kFailed);
}

TEST(JtiDeferralTest, AllFreshReleasesTheResponseAsItIs) {
  JtiDeferral d;
  auto a = d.add();
  std::optional<Verdict> got;
  d.whenDurable()([&](Verdict v) { got = v; });
  EXPECT_FALSE(got.has_value());
  a(JtiStore::Result::kFresh, nullptr);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Verdict::kFresh);
}

}  // namespace
}  // namespace idgate
