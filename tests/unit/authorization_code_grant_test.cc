// grant_type=authorization_code against real SQLite stores and a fixed clock: once only, the
// replay revoking what the first exchange issued, the bindings (client, redirect_uri, PKCE), the
// session it belongs to, and expiry.
#include <gtest/gtest.h>

#include "crypto/random.h"
#include "oauth/authorization_code_grant.h"
#include "oauth/pkce.h"
#include "oauth/token_endpoint.h"
#include "store/database.h"
#include "test_support.h"

namespace idgate {
namespace {

constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

class StaticClients : public ClientAuthenticator {
 public:
  std::variant<AuthenticatedClient, ApiError> authenticate(const TokenRequest& r) const override {
    Client c;
    c.client_id = r.param("client_id").value_or("app");
    c.metadata_json =
        R"({"token_endpoint_auth_method":"none","grant_types":["authorization_code"]})";
    return AuthenticatedClient{c, "none"};
  }
};

class JtiIssuer : public AccessTokenIssuer {
 public:
  std::variant<std::string, ApiError> issue(const AccessTokenRequest& r) const override {
    jti = r.jti;
    sid = r.grant.extra_claims.empty() ? "" : r.grant.extra_claims.front().second;
    return "token-" + r.jti;
  }
  mutable std::string jti, sid;
};

class AuthorizationCodeGrantTest : public ::testing::Test {
 protected:
  AuthorizationCodeGrantTest() {
    DatabaseConfig config;
    config.type = DatabaseConfig::Type::kSqlite;
    config.path = dir_.file("idgate.db");
    db_ = std::make_unique<Database>(config);
    codes_ = makeSqlAuthorizationCodeStore(*db_);
    sessions_ = makeSqlLoginSessionStore(*db_);
    revoked_ = makeSqlRevokedTokenStore(*db_);
    grant_ = std::make_shared<AuthorizationCodeGrant>(*codes_, *sessions_, *revoked_, clock_, 600);
    endpoint_ = std::make_unique<TokenEndpoint>(
        clients_, std::vector<std::shared_ptr<const GrantHandler>>{grant_}, issuer_, settings_,
        clock_);
    LoginSession s;
    s.session_hash = std::string(64, 'h');
    s.sid = "sid-1";
    s.subject = "user-1";
    s.username = "ann";
    s.auth_time = clock_.nowSeconds();
    s.expires_at = clock_.nowSeconds() + 3600;
    sessions_->insert(s);
  }

  std::string code(const std::string& challenge = s256Challenge(kVerifier),
                   const std::string& dpop_jkt = "") {
    std::string value = crypto::randomToken(32);
    AuthorizationCode c;
    c.code_hash = authorizationCodeHash(value);
    c.client_id = "app";
    c.redirect_uri = "https://app.example/cb";
    c.subject = "user-1";
    c.scope = "openid email";
    c.code_challenge = challenge;
    c.dpop_jkt = dpop_jkt;
    c.session_id = "sid-1";
    c.auth_time = clock_.nowSeconds();
    c.expires_at = clock_.nowSeconds() + 60;
    EXPECT_TRUE(codes_->insert(c));
    return value;
  }

  std::variant<TokenEndpoint::Issued, ApiError> exchange(
      const std::string& code, std::vector<std::pair<std::string, std::string>> extra = {}) {
    TokenRequest r;
    r.params = {{"grant_type", "authorization_code"},
                {"code", code},
                {"redirect_uri", "https://app.example/cb"},
                {"code_verifier", kVerifier}};
    for (auto& [k, v] : extra) {
      bool replaced = false;
      for (auto& p : r.params) {
        if (p.first == k) {
          p.second = v;
          replaced = true;
        }
      }
      if (!replaced) r.params.emplace_back(k, v);
    }
    r.params.erase(std::remove_if(r.params.begin(), r.params.end(),
                                  [](const auto& p) { return p.second == "<none>"; }),
                   r.params.end());
    return endpoint_->handle(r);
  }

  static std::string error(const std::variant<TokenEndpoint::Issued, ApiError>& r) {
    return std::holds_alternative<ApiError>(r) ? std::get<ApiError>(r).description : "(issued)";
  }

  test::TempDir dir_;
  test::FixedClock clock_{1'700'000'000};
  std::unique_ptr<Database> db_;
  std::unique_ptr<AuthorizationCodeStore> codes_;
  std::unique_ptr<LoginSessionStore> sessions_;
  std::unique_ptr<RevokedTokenStore> revoked_;
  StaticClients clients_;
  std::shared_ptr<JtiIssuer> issuer_ = std::make_shared<JtiIssuer>();
  TokenSettings settings_{"https://idp.example", 600};
  std::shared_ptr<AuthorizationCodeGrant> grant_;
  std::unique_ptr<TokenEndpoint> endpoint_;
};

TEST_F(AuthorizationCodeGrantTest, RedeemedOnceAndAReplayRevokesWhatItIssued) {
  std::string c = code();
  auto first = exchange(c);
  ASSERT_TRUE(std::holds_alternative<TokenEndpoint::Issued>(first)) << error(first);
  EXPECT_NE(std::get<TokenEndpoint::Issued>(first).body.find("\"scope\":\"openid email\""),
            std::string::npos);
  EXPECT_EQ(issuer_->sid, "\"sid-1\"") << "the access token names its session";
  const std::string jti = issuer_->jti;
  EXPECT_FALSE(revoked_->isRevoked(jti));
  EXPECT_EQ(error(exchange(c)),
            "authorization code was already used; the tokens issued with it are revoked");
  EXPECT_TRUE(revoked_->isRevoked(jti));
}

TEST_F(AuthorizationCodeGrantTest, BindingsAreChecked) {
  EXPECT_EQ(error(exchange(code(), {{"client_id", "other"}})),
            "authorization code was issued to another client");
  EXPECT_EQ(error(exchange(code(), {{"redirect_uri", "https://app.example/cb2"}})),
            "redirect_uri differs from the one of the authorization request");
  EXPECT_EQ(error(exchange(code(), {{"code_verifier", std::string(43, 'a')}})),
            "code_verifier does not match the code_challenge");
  EXPECT_EQ(error(exchange(code(), {{"code_verifier", "<none>"}})),
            "code_verifier is required (PKCE)");
  EXPECT_EQ(error(exchange(code(""))),
            "code_verifier sent, but the authorization request had no code_challenge");
  EXPECT_EQ(error(exchange(code(""), {{"code_verifier", "<none>"}})), "(issued)");
  EXPECT_EQ(error(exchange(code(), {{"code_verifier", "short"}})),
            "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)");
  EXPECT_EQ(error(exchange(code(), {{"redirect_uri", "<none>"}})),
            "redirect_uri is required (the one sent with the authorization request)");
  EXPECT_EQ(error(exchange("never-issued")), "unknown authorization code");
}

TEST_F(AuthorizationCodeGrantTest, AFailedExchangeDoesNotSpendTheCode) {
  // Whoever stole a code cannot burn it for its client without the verifier.
  std::string c = code();
  EXPECT_EQ(error(exchange(c, {{"client_id", "other"}})),
            "authorization code was issued to another client");
  EXPECT_EQ(error(exchange(c, {{"code_verifier", std::string(43, 'a')}})),
            "code_verifier does not match the code_challenge");
  EXPECT_EQ(error(exchange(c)), "(issued)");
  EXPECT_FALSE(revoked_->isRevoked(issuer_->jti));
}

TEST_F(AuthorizationCodeGrantTest, ACodeBoundToADpopKeyNeedsAProofOfIt) {
  const std::string jkt(43, 'k');
  std::string c = code(s256Challenge(kVerifier), jkt);
  TokenRequest r;
  r.params = {{"grant_type", "authorization_code"},
              {"code", c},
              {"redirect_uri", "https://app.example/cb"},
              {"code_verifier", kVerifier}};
  auto client = std::get<AuthenticatedClient>(clients_.authenticate(r));
  auto refused = [&](const std::string& proof_jkt) {
    r.dpop_jkt = proof_jkt;
    auto g = grant_->grant(r, client);
    return std::holds_alternative<ApiError>(g) ? std::get<ApiError>(g).description : "(granted)";
  };
  EXPECT_EQ(refused(""),
            "the authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof signed "
            "with it");
  EXPECT_EQ(refused(std::string(43, 'x')),
            "the DPoP proof is signed with another key than the authorization request's "
            "dpop_jkt");
  EXPECT_EQ(refused(jkt), "(granted)") << "the refusals did not spend it";
}

TEST_F(AuthorizationCodeGrantTest, ExpiredCodesAndEndedSessionsGiveNothing) {
  std::string c = code();
  clock_.advance(61);
  EXPECT_EQ(error(exchange(c)),
            "authorization code expired (codes are good for 60 seconds): start the "
            "authorization again");
  std::string d = code();
  sessions_->remove(std::string(64, 'h'));
  EXPECT_EQ(error(exchange(d)), "the sign-in session of this code has ended");
}

}  // namespace
}  // namespace idgate
