#include "admin/login_throttle.h"

#include <Poco/Base64Encoder.h>
#include <gtest/gtest.h>

#include <sstream>

#include "admin/admin_auth.h"
#include "crypto/password_hash.h"
#include "test_support.h"

namespace idgate {
namespace {

TEST(LoginThrottleTest, CancelTakesBackOneAttemptOnly) {
  test::FixedClock clock(1000);
  LoginThrottle t(clock, 3, 60);
  EXPECT_EQ(t.begin("a"), 0);
  EXPECT_EQ(t.begin("a"), 0);
  EXPECT_EQ(t.begin("a"), 0);  // the third failure: the key waits
  EXPECT_EQ(t.retryAfterSeconds("a"), 1);
  t.cancel("a");  // that one did not count after all
  EXPECT_EQ(t.retryAfterSeconds("a"), 0);
  EXPECT_EQ(t.begin("a"), 0) << "two failures remembered, not forgotten like succeeded()";
  EXPECT_EQ(t.retryAfterSeconds("a"), 1);
  t.cancel("a");
  t.cancel("a");
  t.cancel("a");
  t.cancel("a");  // more than counted: the key is gone, nothing below zero
  EXPECT_EQ(t.begin("a"), 0);
  EXPECT_EQ(t.retryAfterSeconds("a"), 0);
  t.cancel("unknown");
}

TEST(LoginThrottleTest, BacksOffExponentiallyAfterTheFreeFailuresAndForgets) {
  test::FixedClock clock(1000);
  LoginThrottle t(clock);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(t.begin("a"), 0) << i;
  EXPECT_EQ(t.begin("a"), 0) << "the fifth attempt is still checked...";
  EXPECT_EQ(t.begin("a"), 1) << "...and counted before its hash: the sixth waits";
  EXPECT_EQ(t.retryAfterSeconds("b"), 0) << "keys are separate";
  clock.advance(1);
  EXPECT_EQ(t.begin("a"), 0);
  EXPECT_EQ(t.begin("a"), 2);
  for (int i = 0; i < 30; ++i) {
    clock.advance(60);
    t.begin("a");
  }
  EXPECT_EQ(t.retryAfterSeconds("a"), 60) << "capped";
  t.succeeded("a");
  EXPECT_EQ(t.begin("a"), 0);
  for (int i = 0; i < 5; ++i) t.begin("c");
  clock.advance(LoginThrottle::kForgetSeconds + 1);
  EXPECT_EQ(t.begin("c"), 0);
  EXPECT_EQ(t.retryAfterSeconds("c"), 0) << "old failures are forgotten";
  LoginThrottle user(clock, 5, 1);
  for (int i = 0; i < 10; ++i) user.begin("admin");
  EXPECT_EQ(user.retryAfterSeconds("admin"), 1) << "a rate, not a lockout";
}

TEST(LoginThrottleTest, Ipv6AddressesAreKeyedByTheirSlash64) {
  EXPECT_EQ(addressThrottleKey("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(addressThrottleKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(addressThrottleKey("2001:db8:1:2::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(addressThrottleKey("2001:db8::1"), "2001:db8:0:0::/64");
  EXPECT_EQ(addressThrottleKey("::ffff:192.0.2.7"), "192.0.2.7");
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
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(auth.check(basic("admin:wrong"), "10.0.0.1").ok);
  }
  AdminAuth::Result r = auth.check(basic("admin:right"), "10.0.0.1");
  EXPECT_FALSE(r.ok) << "throttled, not checked";
  EXPECT_EQ(r.retry_after_s, 1);
  r = auth.check(basic("admin:right"), "10.0.0.2");
  EXPECT_EQ(r.retry_after_s, 1) << "the admin user is held to one hash a second from anywhere";
  r = auth.check(basic("guest:x"), "10.0.0.2");
  EXPECT_EQ(r.retry_after_s, 0) << "a made-up user is throttled by address only";
  clock.advance(1);
  EXPECT_TRUE(auth.check(basic("admin:right"), "10.0.0.2").ok) << "no long lockout elsewhere";
  EXPECT_TRUE(auth.check(basic("admin:right"), "10.0.0.1").ok);
  EXPECT_FALSE(auth.check(basic("admin:wrong"), "10.0.0.1").ok);
  EXPECT_EQ(auth.check(basic("admin:wrong"), "10.0.0.1").retry_after_s, 0)
      << "a success cleared the failures";
  EXPECT_FALSE(auth.check("", "10.0.0.3").ok);
  for (int i = 0; i < 5; ++i) auth.check("Basic !!!", "10.0.0.4");
  EXPECT_EQ(auth.check("Basic !!!", "10.0.0.4").retry_after_s, 1) << "malformed counts too";
}

}  // namespace
}  // namespace idgate
