// The token endpoint and authenticator chain with the real bundled plugins, a SQLite store and
// a fixed clock.
#include "oauth/token_endpoint.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <idgate/jose/base64url.h>
#include "clients/client_registry.h"
#include "crypto/keys.h"
#include "oauth/client_authentication.h"
#include "plugins/host_services.h"
#include "plugins/plugin_manager.h"
#include "store/database.h"
#include "store/store_error.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace idgate {
namespace {

/// A store that fails every call: a store failure must be a 500, never a "yes".
class BrokenClientStore : public ClientStore {
 public:
  std::optional<Client> find(const std::string&) override { throw StoreError("down"); }
  std::vector<Client> list() override { throw StoreError("down"); }
  bool insert(const Client&) override { throw StoreError("down"); }
  bool update(const Client&, const Client&) override { throw StoreError("down"); }
  bool remove(const std::string&) override { throw StoreError("down"); }
  std::optional<std::string> findIdIgnoringCase(const std::string&) override {
    throw StoreError("down");
  }
  std::vector<std::string> caseCollisions() override { throw StoreError("down"); }
};

class TokenEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.file("dropins"));
    for (const char* f :
         {"idgate-client-secret-basic.so", "idgate-client-secret-post.so", "idgate-none.so"}) {
      fs::copy_file(test::bundledDropins() + "/" + f, dir_.file(std::string("dropins/") + f));
    }
    DatabaseConfig dc;
    dc.path = dir_.file("x.db");
    db_ = std::make_unique<Database>(dc);
    store_ = makeSqlClientStore(*db_);
    jtis_ = makeSqlJtiStore(*db_);
    build(*store_);

    KeystoreEntry key;
    key.kind = KeystoreEntry::Kind::kPrivateKey;
    key.alias = "idgate";
    key.key = crypto::generateEcP256();
    keystore_.put(key);
    keys_ = std::make_unique<SigningKeys>(keystore_, "idgate");
    settings_.issuer = "https://idp.example.com";
    settings_.access_token_lifetime_s = 600;
  }

  void build(ClientStore& store) {
    host_ = std::make_unique<HostServices>(
        store, *jtis_, clock_, [] { return std::make_shared<const Keystore>(); }, box_,
        std::map<std::string, std::string>{}, 60);
    plugins_ = std::make_unique<PluginManager>(
        dir_.file("dropins"), *host_, clock_,
        [](const IdentityConfig& identity) { return identity.globalProperties(); });
    plugins_->loadAll(identity_);
    PluginManager* pm = plugins_.get();
    chain_ = std::make_unique<ClientAuthenticationChain>([pm] { return pm->current(); }, store);
  }

  std::string registerClient(const std::string& body) {
    RegistrationCatalog catalog{[](const std::string& m) -> std::optional<MethodInfo> {
                                  if (m == "client_secret_basic" || m == "client_secret_post")
                                    return MethodInfo{{}, SecretForm::kHash};
                                  if (m == "none") return MethodInfo{};
                                  return std::nullopt;
                                },
                                [] { return std::string("client_secret_basic"); },
                                [] { return std::vector<std::string>{"client_credentials"}; }};
    ClientRegistry reg(*store_, clock_, box_, catalog);
    auto r = reg.create(body);
    EXPECT_TRUE(std::holds_alternative<RegistryResponse>(r));
    return std::get<RegistryResponse>(r).body;
  }

  std::variant<TokenEndpoint::Issued, ApiError> call(
      std::vector<std::pair<std::string, std::string>> params,
      const std::string& authorization = "") {
    TokenEndpoint endpoint(*chain_, *keys_, settings_, clock_);
    TokenRequest r{std::move(params), authorization, "https://idp.example.com/oauth2/token"};
    return endpoint.handle(r);
  }

  static std::string basic(const std::string& id, const std::string& secret) {
    return "Basic " + base64Encode(id + ":" + secret);
  }

  test::TempDir dir_;
  test::FixedClock clock_{1'700'000'000};
  IdentityConfig identity_;
  std::shared_ptr<const crypto::SecretBox> box_ =
      std::make_shared<const crypto::SecretBox>(std::string(32, 'k'));
  std::unique_ptr<Database> db_;
  std::unique_ptr<ClientStore> store_;
  std::unique_ptr<JtiStore> jtis_;
  std::unique_ptr<HostServices> host_;
  std::unique_ptr<PluginManager> plugins_;
  std::unique_ptr<ClientAuthenticationChain> chain_;
  Keystore keystore_;
  std::unique_ptr<SigningKeys> keys_;
  TokenSettings settings_;
};

TEST_F(TokenEndpointTest, IssuesAt9068TokenForBasicClient) {
  registerClient(
      R"({"client_id":"app","client_secret":"0123456789abcdef-secret","scope":"read write"})");
  auto r = call({{"grant_type", "client_credentials"}, {"scope", "read"}},
                basic("app", "0123456789abcdef-secret"));
  ASSERT_TRUE(std::holds_alternative<TokenEndpoint::Issued>(r))
      << std::get<ApiError>(r).description;
  const std::string& body = std::get<TokenEndpoint::Issued>(r).body;
  EXPECT_EQ(std::get<TokenEndpoint::Issued>(r).log_note, "client=app method=client_secret_basic");
  EXPECT_NE(body.find("\"token_type\":\"Bearer\",\"expires_in\":600,\"scope\":\"read\""),
            std::string::npos);
  std::string token = body.substr(17, body.find('"', 17) - 17);
  std::string payload =
      base64UrlDecode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1))
          .value();
  EXPECT_NE(
      payload.find(
          "\"iss\":\"https://idp.example.com\",\"sub\":\"app\",\"aud\":\"https://idp.example.com\","
          "\"client_id\":\"app\",\"iat\":1700000000,\"exp\":1700000600"),
      std::string::npos)
      << payload;
  EXPECT_NE(base64UrlDecode(token.substr(0, token.find('.'))).value().find("\"typ\":\"at+jwt\""),
            std::string::npos);
}

TEST_F(TokenEndpointTest, ResourceBecomesAudience) {
  registerClient(R"({"client_id":"app","client_secret":"0123456789abcdef-secret"})");
  auto r =
      call({{"grant_type", "client_credentials"}, {"resource", "https://api.example.com/orders"}},
           basic("app", "0123456789abcdef-secret"));
  ASSERT_TRUE(std::holds_alternative<TokenEndpoint::Issued>(r));
  auto bad = call({{"grant_type", "client_credentials"}, {"resource", "not a uri#frag"}},
                  basic("app", "0123456789abcdef-secret"));
  EXPECT_EQ(std::get<ApiError>(bad).code, ErrorCode::kInvalidTarget);
}

TEST_F(TokenEndpointTest, ErrorsFollowRfc6749) {
  registerClient(R"({"client_id":"app","client_secret":"0123456789abcdef-secret","scope":"read"})");
  auto auth = basic("app", "0123456789abcdef-secret");
  EXPECT_EQ(std::get<ApiError>(call({}, auth)).code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(std::get<ApiError>(call({{"grant_type", "password"}}, auth)).code,
            ErrorCode::kUnsupportedGrantType);
  EXPECT_EQ(
      std::get<ApiError>(call({{"grant_type", "client_credentials"}, {"scope", "admin"}}, auth))
          .code,
      ErrorCode::kInvalidScope);
  ApiError wrong =
      std::get<ApiError>(call({{"grant_type", "client_credentials"}}, basic("app", "nope")));
  EXPECT_EQ(wrong.code, ErrorCode::kInvalidClient);
  EXPECT_EQ(wrong.description, "client unknown or secret does not match");
  EXPECT_TRUE(wrong.basic_challenge);
  ApiError unknown =
      std::get<ApiError>(call({{"grant_type", "client_credentials"}}, basic("who", "x")));
  EXPECT_EQ(unknown.description, wrong.description) << "an unknown id looks like a wrong secret";
  EXPECT_EQ(unknown.basic_challenge, wrong.basic_challenge);
  ApiError two = std::get<ApiError>(
      call({{"grant_type", "client_credentials"}, {"client_secret", "x"}}, auth));
  EXPECT_EQ(two.code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(two.description, "more than one client authentication method used");
  ApiError none = std::get<ApiError>(call({{"grant_type", "client_credentials"}}));
  EXPECT_EQ(none.code, ErrorCode::kInvalidClient);
  EXPECT_EQ(none.description, "no client authentication method applies to the request");
  EXPECT_FALSE(none.basic_challenge);
}

TEST_F(TokenEndpointTest, RegisteredMethodIsEnforced) {
  registerClient(R"({"client_id":"app","client_secret":"0123456789abcdef-secret"})");
  ApiError e = std::get<ApiError>(call({{"grant_type", "client_credentials"},
                                        {"client_id", "app"},
                                        {"client_secret", "0123456789abcdef-secret"}}));
  EXPECT_EQ(e.code, ErrorCode::kInvalidClient);
  EXPECT_EQ(e.description, "client is registered for client_secret_basic, not client_secret_post");
  ApiError pub =
      std::get<ApiError>(call({{"grant_type", "client_credentials"}, {"client_id", "app"}}));
  EXPECT_EQ(pub.description,
            "client unknown, or not registered for token_endpoint_auth_method none");
  ApiError nobody =
      std::get<ApiError>(call({{"grant_type", "client_credentials"}, {"client_id", "nobody"}}));
  EXPECT_EQ(nobody.description, pub.description) << "no credential: existence is not told";
}

TEST_F(TokenEndpointTest, PublicClientCannotUseClientCredentials) {
  registerClient(R"({"client_id":"spa","token_endpoint_auth_method":"none"})");
  ApiError e =
      std::get<ApiError>(call({{"grant_type", "client_credentials"}, {"client_id", "spa"}}));
  EXPECT_EQ(e.code, ErrorCode::kUnauthorizedClient);
}

TEST_F(TokenEndpointTest, StoreFailureIsServerErrorNeverSuccess) {
  registerClient(R"({"client_id":"app","client_secret":"0123456789abcdef-secret"})");
  BrokenClientStore broken;
  build(broken);
  ApiError e = std::get<ApiError>(
      call({{"grant_type", "client_credentials"}}, basic("app", "0123456789abcdef-secret")));
  EXPECT_EQ(e.code, ErrorCode::kServerError);
  EXPECT_EQ(toHttp(e).status, 500);
}

TEST(OAuthErrorTest, OneMappingForStatusBodyAndChallenge) {
  HttpError e = toHttp({ErrorCode::kInvalidClient, "client unknown", true});
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.body, "{\"error\":\"invalid_client\",\"error_description\":\"client unknown\"}");
  ASSERT_EQ(e.headers.size(), 1u);
  EXPECT_EQ(e.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(toHttp({ErrorCode::kPayloadTooLarge, ""}).status, 413);
  EXPECT_EQ(toHttp({ErrorCode::kInvalidClient, "x"}).headers.size(), 0u);
}

}  // namespace
}  // namespace idgate
