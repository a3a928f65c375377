// The token endpoint's flow against fakes of what it depends on (client authentication, a
// grant handler, the access-token issuer): no dropins, no database, no keys.
#include <gtest/gtest.h>

#include "oauth/client_credentials_grant.h"
#include "oauth/token_endpoint.h"

namespace idgate {
namespace {

class FakeClock : public Clock {
 public:
  int64_t nowMillis() const override { return 1'700'000'000'000; }
};

/// Authenticates every request as `client` (metadata given), counting calls.
class FakeClients : public ClientAuthenticator {
 public:
  std::variant<AuthenticatedClient, ApiError> authenticate(const TokenRequest&) const override {
    ++calls;
    if (refuse) return ApiError{ErrorCode::kInvalidClient, "client authentication failed"};
    return AuthenticatedClient{client, method};
  }
  Client client;
  std::string method = "client_secret_basic";
  bool refuse = false;
  mutable int calls = 0;
};

/// Remembers what it was asked to issue.
class FakeIssuer : public AccessTokenIssuer {
 public:
  std::variant<std::string, ApiError> issue(const AccessTokenRequest& r) const override {
    subject = r.grant.subject;
    scopes = r.grant.scopes;
    audiences = r.audiences;
    lifetime = r.expires_at - r.issued_at;
    return std::string("token-for-") + r.grant.subject;
  }
  mutable std::string subject;
  mutable std::vector<std::string> scopes, audiences;
  mutable int64_t lifetime = 0;
};

struct Fixture {
  FakeClock clock;
  FakeClients clients;
  std::shared_ptr<FakeIssuer> issuer = std::make_shared<FakeIssuer>();
  TokenSettings settings{"https://idp.example.com", 600};
  TokenEndpoint endpoint{
      clients, {std::make_shared<ClientCredentialsGrant>()}, issuer, settings, clock};
  Fixture() {
    clients.client.client_id = "app";
    clients.client.metadata_json =
        R"({"grant_types":["client_credentials"],"scope":"orders:read orders:write"})";
  }
  std::variant<TokenEndpoint::Issued, ApiError> call(
      std::vector<std::pair<std::string, std::string>> params) {
    TokenRequest r;
    r.params = std::move(params);
    return endpoint.handle(r);
  }
};

TEST(TokenEndpointFakesTest, IssuesWhatTheGrantSaysWithTheConfiguredLifetime) {
  Fixture f;
  auto r = f.call({{"grant_type", "client_credentials"},
                   {"scope", "orders:read"},
                   {"resource", "https://api.example.com/a"}});
  ASSERT_TRUE(std::holds_alternative<TokenEndpoint::Issued>(r));
  EXPECT_EQ(std::get<TokenEndpoint::Issued>(r).body,
            R"({"access_token":"token-for-app","token_type":"Bearer","expires_in":600,)"
            R"("scope":"orders:read"})");
  EXPECT_EQ(f.issuer->scopes, std::vector<std::string>{"orders:read"});
  EXPECT_EQ(f.issuer->audiences, std::vector<std::string>{"https://api.example.com/a"});
  EXPECT_EQ(f.issuer->lifetime, 600);
  EXPECT_EQ(f.endpoint.grantTypes(), std::vector<std::string>{"client_credentials"});
}

TEST(TokenEndpointFakesTest, RequestErrorsComeBeforeAuthenticationAndBurnNothing) {
  Fixture f;
  const std::pair<std::vector<std::pair<std::string, std::string>>, ErrorCode> cases[] = {
      {{}, ErrorCode::kInvalidRequest},
      {{{"grant_type", "password"}}, ErrorCode::kUnsupportedGrantType},
      {{{"grant_type", "client_credentials"}, {"resource", "not a uri"}},
       ErrorCode::kInvalidTarget},
      {{{"grant_type", "client_credentials"}, {"scope", "  "}}, ErrorCode::kInvalidScope},
  };
  for (const auto& [params, code] : cases) {
    auto r = f.call(params);
    ASSERT_TRUE(std::holds_alternative<ApiError>(r));
    EXPECT_EQ(std::get<ApiError>(r).code, code);
  }
  EXPECT_EQ(f.clients.calls, 0) << "a malformed request must not reach client authentication";
  auto r = f.call({{"grant_type", "password"}});
  EXPECT_EQ(std::get<ApiError>(r).description,
            "grant_type 'password' is not supported (supported: client_credentials)");
}

TEST(TokenEndpointFakesTest, RegistrationChecksComeAfterAuthentication) {
  Fixture f;
  auto r = f.call({{"grant_type", "client_credentials"}, {"scope", "admin"}});
  EXPECT_EQ(std::get<ApiError>(r).code, ErrorCode::kInvalidScope);
  EXPECT_EQ(f.clients.calls, 1);
  f.clients.method = "none";  // a public client
  r = f.call({{"grant_type", "client_credentials"}});
  EXPECT_EQ(std::get<ApiError>(r).code, ErrorCode::kUnauthorizedClient);
  f.clients.refuse = true;
  r = f.call({{"grant_type", "client_credentials"}});
  EXPECT_EQ(std::get<ApiError>(r).code, ErrorCode::kInvalidClient);
  EXPECT_TRUE(f.issuer->subject.empty()) << "nothing was issued";
}

}  // namespace
}  // namespace idgate
