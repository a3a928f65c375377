#include "http/login_throttle.h"

#include <Poco/Base64Encoder.h>
#include <gtest/gtest.h>

#include <sstream>

#include "crypto/password_hash.h"
#include "http/admin_auth.h"
#include "test_support.h"

namespace idgate {
namespace {

TEST(LoginThrottleTest, BacksOffExponentiallyAfterTheFreeFailuresAndForgets) {
  test::FixedClock clock(1000);
  LoginThrottle t(clock);
  for (int i = 0; i < LoginThrottle::kFreeFailures - 1; ++i) {
    t.failed("a");
    EXPECT_EQ(t.retryAfterSeconds("a"), 0) << i;
  }
  t.failed("a");
  EXPECT_EQ(t.retryAfterSeconds("a"), 1);
  EXPECT_EQ(t.retryAfterSeconds("b"), 0) << "keys are separate";
  clock.advance(1);
  EXPECT_EQ(t.retryAfterSeconds("a"), 0);
  t.failed("a");
  EXPECT_EQ(t.retryAfterSeconds("a"), 2);
  for (int i = 0; i < 20; ++i) t.failed("a");
  EXPECT_EQ(t.retryAfterSeconds("a"), LoginThrottle::kMaxDelaySeconds) << "capped";
  t.succeeded("a");
  EXPECT_EQ(t.retryAfterSeconds("a"), 0);
  for (int i = 0; i < LoginThrottle::kFreeFailures; ++i) t.failed("c");
  clock.advance(LoginThrottle::kForgetSeconds + 1);
  t.failed("c");
  EXPECT_EQ(t.retryAfterSeconds("c"), 0) << "old failures are forgotten";
}

TEST(AdminAuthTest, ThrottlesPerAddressAndForTheUserBeforeHashing) {
  test::FixedClock clock(1000);
  AdminAuth auth("admin", crypto::hashPassword("right", 1000), clock);
  auto basic = [](const std::string& user_password) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder << user_password;
    encoder.close();
    return "Basic " + out.str();
  };
  for (int i = 0; i < LoginThrottle::kFreeFailures; ++i) {
    EXPECT_FALSE(auth.check(basic("admin:wrong"), "10.0.0.1").ok);
  }
  AdminAuth::Result r = auth.check(basic("admin:right"), "10.0.0.1");
  EXPECT_FALSE(r.ok) << "throttled, not checked";
  EXPECT_EQ(r.retry_after_s, 1);
  r = auth.check(basic("admin:right"), "10.0.0.2");
  EXPECT_EQ(r.retry_after_s, 1) << "the admin user is throttled from every address";
  r = auth.check(basic("guest:x"), "10.0.0.2");
  EXPECT_EQ(r.retry_after_s, 0) << "a made-up user is throttled by address only";
  clock.advance(1);
  EXPECT_TRUE(auth.check(basic("admin:right"), "10.0.0.1").ok);
  EXPECT_FALSE(auth.check(basic("admin:wrong"), "10.0.0.1").ok);
  EXPECT_EQ(auth.check(basic("admin:wrong"), "10.0.0.1").retry_after_s, 0)
      << "a success cleared the failures";
  EXPECT_FALSE(auth.check("", "10.0.0.3").ok);
}

}  // namespace
}  // namespace idgate
