#include <gtest/gtest.h>
#include <idgate/jose/json.h>
#include <idgate/jose/jwk.h>

#include <map>

#include "config/resource_server_config.h"
#include "crypto/jwk.h"
#include "crypto/jws_signer.h"
#include "crypto/keys.h"
#include "http/request_path.h"
#include "resource/auth_filter.h"
#include "resource/identity_headers.h"
#include "resource/resource_guard.h"
#include "resource/session_cookie.h"
#include "resource/token_validator.h"
#include "store/store_error.h"
#include "test_support.h"

namespace idgate {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class FixedKeys : public KeyResolver {
 public:
  KeySet set;
  int calls = 0;
  KeySet keys(const OidcClientConfig&, bool, std::string* error) override {
    ++calls;
    if (!set) *error = "none";
    return set;
  }
};

class MemoryJtis : public JtiStore {
 public:
  bool fail = false;
  std::map<std::string, int64_t> rows;
  Result checkAndInsert(const std::string& ns, const std::string& jti, int64_t exp,
                        int64_t now) override {
    if (fail) throw StoreError("database down");
    auto it = rows.find(ns + "|" + jti);
    if (it != rows.end() && it->second >= now) return Result::kReplayed;
    rows[ns + "|" + jti] = exp;
    return Result::kFresh;
  }
  int purgeExpired(int64_t, int) override { return 0; }
};

class ResourceServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::generateEcP256();
    auto jwk = jose::parseJson(crypto::publicJwk(key.get(), "k1", "ES256").json);
    std::string error;
    auto imported = jose::importJwk(*jwk, &error);
    ASSERT_TRUE(imported) << error;
    keys_.set = std::make_shared<const std::vector<jose::PublicKey>>(1, *imported);
    signer_ = std::make_unique<crypto::JwsSigner>(std::move(key), "ES256", "k1");
    config_.id = "c";
    config_.inbound = OidcClientConfig::Propagation::kRequired;
    config_.signature_algorithm = "ES256";
    config_.issuers = {"https://iss.example"};
    config_.clock_skew_s = 300;
  }

  std::string token(const std::string& extra = R"("jti":"j1")", int64_t exp = kNow + 60) {
    std::string claims = R"({"iss":"https://iss.example","sub":"alice","exp":)" +
                         std::to_string(exp) + (extra.empty() ? "" : "," + extra) + "}";
    return signer_->sign("JWT", claims);
  }

  Validation validate(const std::string& t, int64_t now = kNow,
                      std::vector<std::string> own_origins = {"https://rs.example"}) {
    TokenValidator v(keys_, &jtis_, registry_);
    return v.validate(config_, t, own_origins, now);
  }

  FixedKeys keys_;
  MemoryJtis jtis_;
  std::vector<RegistryUser> registry_;
  std::unique_ptr<crypto::JwsSigner> signer_;
  OidcClientConfig config_;
};

TEST_F(ResourceServerTest, AcceptsAGoodTokenAndBuildsTheSubject) {
  Validation v = validate(token(R"("groupIds":["g"],"azp":"app")"));
  ASSERT_EQ(v.kind, Validation::Kind::kOk) << v.description;
  EXPECT_EQ(v.subject.principal, "alice");
  EXPECT_EQ(v.subject.uniqueId(), "user:https://iss.example/alice");
  EXPECT_EQ(v.subject.groupIds(), std::vector<std::string>{"group:https://iss.example/g"});
  EXPECT_EQ(v.subject.client_id, "app");
  EXPECT_FALSE(v.has_jti);
}

TEST_F(ResourceServerTest, AKeyBindingIsReadAndOnlyCnfJktIsAccepted) {
  Validation v = validate(token(R"("jti":"j2","cnf":{"jkt":"abc"})"));
  ASSERT_EQ(v.kind, Validation::Kind::kOk) << v.description;
  EXPECT_EQ((v.subject.jkt + " " + v.subject.jti), "abc j2");
  for (const char* cnf : {R"("cnf":{"x5t#S256":"abc"})", R"("cnf":"abc")", R"("cnf":{"jkt":7})"}) {
    Validation bad = validate(token(cnf));
    EXPECT_EQ(bad.kind, Validation::Kind::kInvalid) << cnf;
    EXPECT_EQ(bad.description,
              "the token is bound (cnf) in a way idgate cannot check: only cnf.jkt (DPoP)");
  }
}

TEST_F(ResourceServerTest, ExpiryIsExactAtTheSkewBoundary) {
  std::string t = token("", kNow);
  EXPECT_EQ(validate(t, kNow + 300).kind, Validation::Kind::kOk);
  Validation late = validate(t, kNow + 301);
  EXPECT_EQ(late.kind, Validation::Kind::kInvalid);
  EXPECT_EQ(late.description, "token expired");
}

TEST_F(ResourceServerTest, ReplayIsRefusedAndAStoreFailureIsNeverAYes) {
  std::string t = token();
  EXPECT_EQ(validate(t).kind, Validation::Kind::kOk);
  Validation again = validate(t);
  EXPECT_EQ(again.kind, Validation::Kind::kInvalid);
  EXPECT_EQ(again.description, "token was already used (jti)");
  jtis_.fail = true;
  EXPECT_EQ(validate(token(R"("jti":"j2")")).kind, Validation::Kind::kServerError);
  config_.token_reuse = true;
  EXPECT_EQ(validate(t).kind, Validation::Kind::kOk) << "tokenReuse=true: no jti check";
}

TEST_F(ResourceServerTest, AudienceWithoutConfigurationMustBeAConfiguredOrigin) {
  EXPECT_EQ(validate(token(R"("aud":"https://rs.example/app")")).kind, Validation::Kind::kOk);
  EXPECT_EQ(validate(token(R"("aud":"https://RS.example:443")")).kind, Validation::Kind::kOk);
  EXPECT_EQ(validate(token(R"("aud":"https://rs.example:8443")")).kind, Validation::Kind::kInvalid);
  EXPECT_EQ(validate(token(R"("aud":"rs.example")")).kind, Validation::Kind::kInvalid);
  EXPECT_EQ(validate(token(R"("aud":7)")).kind, Validation::Kind::kInvalid);
  Validation other = validate(token(R"("aud":"https://pay.example/api")"), kNow,
                              {"https://rs.example", "http://127.0.0.1:9443"});
  EXPECT_EQ(other.description,
            "audience is not this server's origin; accepted: a URL of https://rs.example, "
            "http://127.0.0.1:9443");
  EXPECT_EQ(validate(token(R"("aud":"https://pay.example/api")"), kNow, {}).kind,
            Validation::Kind::kInvalid)
      << "no origins configured: no URL audience matches";
  config_.audiences = {"api", "api2"};
  EXPECT_EQ(validate(token(R"("aud":["x","api"])")).kind, Validation::Kind::kOk);
  EXPECT_EQ(validate(token("")).description, "aud claim is missing; accepted: api, api2");
  EXPECT_EQ(validate(token(R"("aud":"x")")).description,
            "audience not accepted; accepted: api, api2");
}

TEST_F(ResourceServerTest, RegistryMappingDecidesGroupsOrForbids) {
  config_.map_identity_to_registry_user = true;
  EXPECT_EQ(validate(token("")).kind, Validation::Kind::kForbidden);
  registry_.push_back(RegistryUser{"alice", {"admins"}});
  Validation v = validate(token(R"("groupIds":["forged"])"));
  ASSERT_EQ(v.kind, Validation::Kind::kOk);
  EXPECT_EQ(v.subject.groups, std::vector<std::string>{"admins"});
}

TEST_F(ResourceServerTest, NoKeyIsInvalidNotAnError) {
  keys_.set = nullptr;
  Validation v = validate(token(""));
  EXPECT_EQ(v.kind, Validation::Kind::kInvalid);
  EXPECT_EQ(v.description, "no key: none");
}

TEST_F(ResourceServerTest, CacheServesRepeatsButNeverPastExpPlusSkew) {
  ResourceServerConfig rs;
  config_.token_reuse = true;
  config_.access_token_cache_timeout_s = 3600;
  rs.clients.push_back(config_);
  TokenValidator validator(keys_, &jtis_, registry_);
  test::FixedClock clock(kNow);
  ResourceGuard guard(rs, validator, clock);
  HttpRequestData req;
  req.method = "GET";
  req.scheme = "https";
  req.host = "rs.example";
  req.path = "/api/me";
  req.headers = {{"Authorization", "Bearer " + token(R"("jti":"cached")", kNow + 60)}};
  RequestOrigin origin = RequestOrigin::direct(req);
  GuardResult first = guard.authenticate(origin);
  ASSERT_EQ(first.kind, GuardResult::Kind::kAuthenticated) << first.description;
  EXPECT_FALSE(first.from_cache);
  int resolved = keys_.calls;
  GuardResult second = guard.authenticate(origin);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(keys_.calls, resolved) << "a cache hit verifies nothing";
  clock.advance(60 + 300 + 1);  // past exp + skew, well within the cache timeout
  GuardResult late = guard.authenticate(origin);
  EXPECT_EQ(late.kind, GuardResult::Kind::kInvalid);
  EXPECT_EQ(late.description, "token expired");
}

TEST_F(ResourceServerTest, AudienceOriginsComeFromConfigurationNeverFromHost) {
  ResourceServerConfig rs;
  config_.token_reuse = true;
  config_.access_token_cache_timeout_s = 3600;
  rs.clients.push_back(config_);
  TokenValidator validator(keys_, &jtis_, registry_);
  test::FixedClock clock(kNow);
  AudienceOrigins origins = AudienceOrigins::from("https://idp.example", {"http://127.0.0.1:9443"},
                                                  {"https://shop.example:8443/"});
  EXPECT_EQ(origins.direct,
            (std::vector<std::string>{"https://idp.example", "http://127.0.0.1:9443",
                                      "https://shop.example:8443"}));
  EXPECT_EQ(origins.forwarded, std::vector<std::string>{"https://shop.example:8443"});
  ResourceGuard guard(rs, validator, clock, nullptr, origins);
  auto request = [&](const std::string& aud, const std::string& host) {
    HttpRequestData req;
    req.method = "GET";
    req.scheme = "https";
    req.host = host;
    req.path = "/api/me";
    req.headers = {{"Authorization", "Bearer " + token(R"("aud":")" + aud + R"(")")},
                   {"X-Forwarded-Host", host},
                   {"X-Forwarded-Proto", "https"},
                   {"X-Forwarded-Uri", "/x"}};
    return req;
  };
  HttpRequestData pay = request("https://pay.example/api", "pay.example");
  EXPECT_EQ(guard.authenticate(RequestOrigin::direct(pay)).kind, GuardResult::Kind::kInvalid);
  EXPECT_EQ(guard.authenticate(RequestOrigin::forwarded(pay)).kind, GuardResult::Kind::kInvalid);
  HttpRequestData own = request("http://127.0.0.1:9443/api", "pay.example");
  EXPECT_EQ(guard.authenticate(RequestOrigin::direct(own)).kind, GuardResult::Kind::kAuthenticated);
  GuardResult fwd = guard.authenticate(RequestOrigin::forwarded(own));
  EXPECT_EQ(fwd.kind, GuardResult::Kind::kInvalid)
      << "idgate's own listener is not the proxied service; a cached direct result must not "
         "serve a forwarded request";
  EXPECT_FALSE(fwd.from_cache);
  HttpRequestData shop = request("https://shop.example:8443/cart", "evil.example");
  EXPECT_EQ(guard.authenticate(RequestOrigin::forwarded(shop)).kind,
            GuardResult::Kind::kAuthenticated);
}

TEST_F(ResourceServerTest, SingleUseTokensAreNotCached) {
  ResourceServerConfig rs;
  rs.clients.push_back(config_);  // tokenReuse=false
  TokenValidator validator(keys_, &jtis_, registry_);
  test::FixedClock clock(kNow);
  ResourceGuard guard(rs, validator, clock);
  HttpRequestData req;
  req.method = "GET";
  req.headers = {{"Authorization", "Bearer " + token(R"("jti":"once")")}};
  EXPECT_EQ(guard.authenticate(RequestOrigin::direct(req)).kind, GuardResult::Kind::kAuthenticated);
  GuardResult again = guard.authenticate(RequestOrigin::direct(req));
  EXPECT_EQ(again.kind, GuardResult::Kind::kInvalid);
  EXPECT_EQ(guard.cacheSize(), 0u);
}

TEST(SessionCookieTest, SealedBoundToTheConfigurationAndExpiring) {
  SessionCookies sessions(std::make_shared<const crypto::SecretBox>(std::string(32, 'k')));
  OidcClientConfig a, b;
  a.id = "a";
  b.id = "b.x";
  EXPECT_EQ(SessionCookies::cookieName(b), "idgate_session_b_x");
  Subject s;
  s.principal = "alice";
  s.unique_name = "u1";
  s.realm = "r";
  s.groups = {"g"};
  s.expires_at = kNow + 60;
  s.claims_json = R"({"sub":"alice","n":[1,{"x":"}"}]})";
  const std::string kA = "https://a.example";
  std::string set = sessions.issue(a, s, true, kNow, kA);
  EXPECT_NE(set.find("; Max-Age=60; HttpOnly; SameSite=Lax; Secure"), std::string::npos) << set;
  std::string value = set.substr(0, set.find(';'));
  HttpRequestData req;
  req.headers = {{"Cookie", "x=1; " + value}};
  auto back = sessions.read(a, req, kNow + 60, kA);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->principal, "alice");
  EXPECT_EQ(back->uniqueId(), "user:r/u1");
  EXPECT_EQ(back->groups, std::vector<std::string>{"g"});
  EXPECT_EQ(back->claims_json, s.claims_json);
  EXPECT_FALSE(sessions.read(a, req, kNow + 61, kA)) << "expired";
  EXPECT_FALSE(sessions.read(a, req, kNow, "https://b.example")) << "another origin";
  req.headers = {{"Cookie", "idgate_session_b_x=" + value.substr(value.find('=') + 1)}};
  EXPECT_FALSE(sessions.read(b, req, kNow, kA)) << "sealed for another configuration";
  SessionCookies other(std::make_shared<const crypto::SecretBox>(std::string(32, 'o')));
  req.headers = {{"Cookie", value}};
  EXPECT_FALSE(other.read(a, req, kNow, kA)) << "another server key";
}

TEST(ValidatedTokenCacheTest, BoundedOldestFirst) {
  ValidatedTokenCache cache(2);
  Subject s;
  cache.put("a", s, kNow + 10);
  cache.put("b", s, kNow + 10);
  cache.put("c", s, kNow + 10);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.get("a", kNow));
  EXPECT_TRUE(cache.get("c", kNow));
  EXPECT_FALSE(cache.get("c", kNow + 11));
}

TEST(DurationTest, LibertyDurations) {
  EXPECT_EQ(parseDurationMillis("300s"), 300000);
  EXPECT_EQ(parseDurationMillis("5m"), 300000);
  EXPECT_EQ(parseDurationMillis("1h"), 3600000);
  EXPECT_EQ(parseDurationMillis("1m30s"), 90000);
  EXPECT_EQ(parseDurationMillis("250ms"), 250);
  EXPECT_FALSE(parseDurationMillis("300"));
  EXPECT_FALSE(parseDurationMillis("5 m"));
  EXPECT_FALSE(parseDurationMillis("-5m"));
  EXPECT_FALSE(parseDurationMillis(""));
}

TEST(AuthFilterTest, ConditionsAndAlternatives) {
  HttpRequestData req;
  req.headers = {{"User-Agent", "curl/8.0"}, {"X-Tenant", "acme"}, {"Cookie", "a=1; session=x"}};
  RequestOrigin o = RequestOrigin::direct(req);
  o.uri = "/partners/orders?x=1";
  o.path = "/partners/orders";
  o.host = "Shop.Example:8443";
  o.remote_address = "10.1.2.3";
  auto cond = [](FilterCondition::Kind k, FilterCondition::Match m, std::vector<std::string> v,
                 std::string name = "") {
    FilterCondition c;
    c.kind = k;
    c.match = m;
    c.values = std::move(v);
    c.name = std::move(name);
    return c;
  };
  using K = FilterCondition::Kind;
  using M = FilterCondition::Match;
  EXPECT_TRUE(conditionHolds(cond(K::kRequestUrl, M::kContains, {"/nope", "/partners/"}), o));
  EXPECT_FALSE(conditionHolds(cond(K::kRequestUrl, M::kEquals, {"/partners/orders?x=1"}), o));
  EXPECT_TRUE(conditionHolds(cond(K::kRequestUrl, M::kNotContain, {"/admin"}), o));
  EXPECT_TRUE(conditionHolds(cond(K::kHost, M::kEquals, {"shop.example"}), o));
  EXPECT_TRUE(conditionHolds(cond(K::kRemoteAddress, M::kEquals, {"10.1.*"}), o));
  EXPECT_TRUE(conditionHolds(cond(K::kRemoteAddress, M::kGreaterThan, {"10.0.0.255"}), o));
  EXPECT_FALSE(conditionHolds(cond(K::kRemoteAddress, M::kLessThan, {"10.0.0.255"}), o));
  EXPECT_TRUE(conditionHolds(cond(K::kUserAgent, M::kContains, {"curl"}), o));
  EXPECT_TRUE(conditionHolds(cond(K::kRequestHeader, M::kEquals, {"acme"}, "x-tenant"), o));
  EXPECT_TRUE(conditionHolds(cond(K::kRequestHeader, M::kContains, {}, "X-Tenant"), o));
  EXPECT_FALSE(conditionHolds(cond(K::kRequestHeader, M::kContains, {}, "X-Other"), o));
  EXPECT_TRUE(conditionHolds(cond(K::kCookie, M::kContains, {"session"}), o));
  EXPECT_FALSE(conditionHolds(cond(K::kCookie, M::kContains, {"sess"}), o));
  AuthFilterConfig f{"f",
                     {cond(K::kHost, M::kEquals, {"shop.example"}),
                      cond(K::kUserAgent, M::kContains, {"firefox"})}};
  EXPECT_FALSE(filterMatches(f, o)) << "conditions are ANDed";
}

TEST(RequestPathTest, AmbiguousPathsAreRefused) {
  EXPECT_EQ(canonicalPath("/orders/42"), "/orders/42");
  EXPECT_EQ(canonicalPath("/%70artners/%41"), "/partners/A");
  EXPECT_EQ(canonicalPath("/a..b/c."), "/a..b/c.") << "dots inside a segment are fine";
  EXPECT_EQ(canonicalPath("/a;v=1/b;x"), "/a/b") << "path parameters are dropped, as servlets do";
  EXPECT_EQ(canonicalPath("/shop/admin%3Bx/secret"), "/shop/admin/secret");
  EXPECT_EQ(canonicalPath("/a/b/"), "/a/b/");
  for (const char* bad : {"/a/../b", "/a/./b", "/..", "/a/.", "/a/%2e%2e/b", "/a/%2E/b", "/a%2fb",
                          "/a%2Fb", "/a%5cb", "/a\\b", "/a%00b", "/a%zz", "/a%4", "/a/..;/b",
                          "/a/..;x=1/b", "/a/.;/b", "/a/..%3B/b", "/a/..%3b/b", "/a/%2e%2e;/b",
                          "/a/..;"}) {
    EXPECT_FALSE(canonicalPath(bad)) << bad;
  }
}

TEST(CookieTest, ParsesLikeABrowserSendsThem) {
  HttpRequestData r;
  r.headers = {{"Host", "x"}, {"cookie", "a=1;  b = 2; empty=; c=x=y "}, {"Cookie", "d=4"}};
  EXPECT_EQ(r.cookie("a"), "1");
  EXPECT_EQ(r.cookie("empty"), "");
  EXPECT_EQ(r.cookie("c"), "x=y");
  EXPECT_EQ(r.cookie("d"), "4") << "second Cookie header";
  EXPECT_FALSE(r.cookie("b")) << "'b ' is not 'b'";
  EXPECT_FALSE(r.cookie("A"));
  EXPECT_FALSE(r.cookie("x"));
}

TEST(IdentityHeadersTest, NoInjectionThroughClaims) {
  Subject s;
  s.principal = "alice\r\nX-Auth-Groups: admins";
  s.realm = "r";
  s.unique_name = "alice";
  s.groups = {"a,b", "100%"};
  auto h = identityHeaders(s);
  EXPECT_EQ(h[0].second, "aliceX-Auth-Groups: admins");
  EXPECT_EQ(h[3].second, "group:r/a%2Cb,group:r/100%25");
  EXPECT_TRUE(isIdentityHeader("x-auth-subject"));
  EXPECT_FALSE(isIdentityHeader("X-Authorization"));
  EXPECT_TRUE(isIdentityHeader("X_Auth_Subject"));
  EXPECT_TRUE(isIdentityHeader("x-auth_groups"));
}

}  // namespace
}  // namespace idgate
