// grant_type=refresh_token against real SQLite stores and a fixed clock: sliding and absolute
// lifetimes, rotation into the same family, reuse revoking the family, the grace.
#include <gtest/gtest.h>

#include <idgate/jose/json.h>

#include "crypto/digest.h"
#include "oauth/refresh_token_grant.h"
#include "oauth/token_endpoint.h"
#include "store/database.h"
#include "test_support.h"

namespace idgate {
namespace {

class PublicClients : public ClientAuthenticator {
 public:
  std::variant<AuthenticatedClient, ApiError> authenticate(const TokenRequest&) const override {
    Client c;
    c.client_id = "app";
    c.metadata_json = R"({"token_endpoint_auth_method":"none","grant_types":["refresh_token"]})";
    return AuthenticatedClient{c, "none"};
  }
};

class PlainIssuer : public AccessTokenIssuer {
 public:
  std::variant<std::string, ApiError> issue(const AccessTokenRequest& r) const override {
    return "at-" + r.jti;
  }
};

class RefreshTokenGrantTest : public ::testing::Test {
 protected:
  RefreshTokenGrantTest() {
    DatabaseConfig config;
    config.type = DatabaseConfig::Type::kSqlite;
    config.path = dir_.file("idgate.db");
    db_ = std::make_unique<Database>(config);
    store_ = makeSqlRefreshTokenStore(*db_);
    revoked_ = makeSqlRevokedTokenStore(*db_);
    config_.sliding_s = 100;
    config_.absolute_s = 250;
    config_.reuse_grace_s = 0;
    endpoint_ = std::make_unique<TokenEndpoint>(
        clients_,
        std::vector<std::shared_ptr<const GrantHandler>>{
            std::make_shared<RefreshTokenGrant>(*store_, *revoked_, config_, clock_)},
        std::make_shared<PlainIssuer>(), settings_, clock_);
    endpoint_->setRefreshTokens(store_.get(), &config_);
    RefreshToken t;
    t.token_hash = crypto::sha256Hex("rt-0");
    t.family_id = "fam";
    t.client_id = "app";
    t.subject = "user-1";
    t.scope = "orders offline_access";
    t.issued_at = clock_.nowSeconds();
    t.expires_at = clock_.nowSeconds() + 100;
    t.family_expires_at = clock_.nowSeconds() + 250;
    store_->insert(t);
  }

  /// The new refresh token, or the error description.
  std::string use(const std::string& token) {
    TokenRequest r;
    r.params = {{"grant_type", "refresh_token"}, {"refresh_token", token}, {"client_id", "app"}};
    auto out = endpoint_->handle(r);
    if (auto* err = std::get_if<ApiError>(&out)) return "error: " + err->description;
    auto body = jose::parseJson(std::get<TokenEndpoint::Issued>(out).body);
    return body->getString("refresh_token").value_or("(none)");
  }

  test::TempDir dir_;
  test::FixedClock clock_{1'700'000'000};
  std::unique_ptr<Database> db_;
  std::unique_ptr<RefreshTokenStore> store_;
  std::unique_ptr<RevokedTokenStore> revoked_;
  RefreshTokenConfig config_;
  PublicClients clients_;
  TokenSettings settings_{"https://idp.example", 600};
  std::unique_ptr<TokenEndpoint> endpoint_;
};

TEST_F(RefreshTokenGrantTest, SlidingThenAbsoluteLifetime) {
  clock_.advance(90);
  std::string a = use("rt-0");
  ASSERT_EQ(a.rfind("error", 0), std::string::npos) << a;
  auto next = store_->find(crypto::sha256Hex(a));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->family_id, "fam");
  EXPECT_EQ(next->expires_at, clock_.nowSeconds() + 100) << "slides";
  clock_.advance(90);
  std::string b = use(a);
  ASSERT_EQ(b.rfind("error", 0), std::string::npos) << b;
  EXPECT_EQ(store_->find(crypto::sha256Hex(b))->expires_at, 1'700'000'250)
      << "never past the family's absolute end";
  clock_.advance(71);
  EXPECT_EQ(use(b), "error: refresh token expired: sign in again");
}

TEST_F(RefreshTokenGrantTest, UnusedPastTheSlidingLifetimeEnds) {
  clock_.advance(100);
  EXPECT_EQ(use("rt-0"), "error: refresh token expired: sign in again");
}

TEST_F(RefreshTokenGrantTest, ReuseRevokesTheFamilyUnlessWithinTheGrace) {
  std::string a = use("rt-0");
  EXPECT_EQ(use("rt-0"),
            "error: refresh token was already used; every token of this grant is revoked (sign "
            "in again)");
  EXPECT_EQ(use(a), "error: refresh token revoked");
  // The access token issued with `a` (PlainIssuer's "at-<jti>") ends with the family.
  const std::string access_jti = store_->find(crypto::sha256Hex(a))->access_jti;
  ASSERT_FALSE(access_jti.empty());
  EXPECT_TRUE(revoked_->isRevoked(access_jti));
}

TEST_F(RefreshTokenGrantTest, AGraceLetsARetryThroughThenEnds) {
  config_.reuse_grace_s = 10;
  std::string a = use("rt-0");
  clock_.advance(5);
  std::string retry = use("rt-0");
  EXPECT_EQ(retry.rfind("error", 0), std::string::npos) << retry;
  clock_.advance(10);
  EXPECT_EQ(use("rt-0").rfind("error: refresh token was already used", 0), 0u);
  EXPECT_EQ(use(a), "error: refresh token revoked");
}

}  // namespace
}  // namespace idgate
