// The one error mapping: status, error name, body and challenge of each kind of answer,
// including the resource server's Bearer challenges (RFC 6750 §3).
#include <gtest/gtest.h>

#include "common/oauth_error.h"

namespace idgate {
namespace {

std::string header(const HttpError& e, const std::string& name) {
  for (const auto& [k, v] : e.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(OAuthErrorTest, BearerChallengesCarryRealmErrorAndQuotedDescription) {
  ApiError invalid{ErrorCode::kInvalidToken, "token \"expired\"\n"};
  invalid.bearer_realm = "orders";
  HttpError e = toHttp(invalid);
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.body, R"({"error":"invalid_token","error_description":"token \"expired\"\n"})");
  // The challenge cannot be broken by what the description holds.
  EXPECT_EQ(header(e, "WWW-Authenticate"),
            R"(Bearer realm="orders", error="invalid_token", error_description="token expired")");

  ApiError none{ErrorCode::kBearerRequired, "a bearer token is required"};
  none.bearer_realm = "orders";
  e = toHttp(none);
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.body, R"({"error":"unauthorized","error_description":"a bearer token is required"})");
  EXPECT_EQ(header(e, "WWW-Authenticate"), R"(Bearer realm="orders")");  // no error code

  ApiError denied{ErrorCode::kAccessDenied, "user not in group"};
  denied.bearer_realm = "orders";
  e = toHttp(denied);
  EXPECT_EQ(e.status, 403);
  EXPECT_EQ(header(e, "WWW-Authenticate"), R"(Bearer realm="orders")");

  ApiError scope{ErrorCode::kInsufficientScope, "the token lacks the idgate:admin scope"};
  scope.bearer_realm = "idgate";
  scope.bearer_scope = "idgate:admin";
  e = toHttp(scope);
  EXPECT_EQ(e.status, 403);
  EXPECT_EQ(header(e, "WWW-Authenticate"),
            R"(Bearer realm="idgate", error="insufficient_scope", scope="idgate:admin")");
}

TEST(OAuthErrorTest, OAuthErrorsKeepTheirStatusAndChallenges) {
  ApiError basic{ErrorCode::kInvalidClient, "client authentication failed"};
  basic.basic_challenge = true;
  HttpError e = toHttp(basic);
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(header(e, "WWW-Authenticate"), R"(Basic realm="idgate", charset="UTF-8")");
  ApiError busy{ErrorCode::kTooManyRequests, "slow down"};
  busy.retry_after_s = 0;
  e = toHttp(busy);
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(header(e, "Retry-After"), "1");
  EXPECT_EQ(toHttp({ErrorCode::kServiceUnavailable, "x"}).status, 503);
  EXPECT_EQ(toHttp({ErrorCode::kHeaderTooLarge, "x"}).body,
            R"({"error":"invalid_request","error_description":"x"})");
}

}  // namespace
}  // namespace idgate
