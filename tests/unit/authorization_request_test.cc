// The authorization request's checks (RFC 6749 §4.1.2.1, RFC 7636, RFC 9126, RFC 9700): which
// refusals are pages and which go back to the client, with their exact errors.
#include <gtest/gtest.h>

#include "oauth/authorization_request.h"
#include "oauth/id_token_issuer.h"
#include "oauth/scope_claims.h"

namespace idgate {
namespace {

constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

Client client(const std::string& metadata) {
  Client c;
  c.client_id = "web";
  c.metadata_json = metadata;
  return c;
}

const Client kPublic = client(
    R"({"token_endpoint_auth_method":"none","grant_types":["authorization_code"],)"
    R"("response_types":["code"],"redirect_uris":["https://app.example/cb"],"scope":"orders"})");

Params good() {
  return {{"response_type", "code"},
          {"client_id", "web"},
          {"redirect_uri", "https://app.example/cb"},
          {"scope", "openid orders"},
          {"state", "s1"},
          {"code_challenge", kChallenge},
          {"code_challenge_method", "S256"}};
}

Params with(Params p, const std::string& name, const std::string& value) {
  for (auto& [k, v] : p) {
    if (k == name) {
      v = value;
      return p;
    }
  }
  p.emplace_back(name, value);
  return p;
}

Params without(Params p, const std::string& name) {
  p.erase(std::remove_if(p.begin(), p.end(), [&](const auto& kv) { return kv.first == name; }),
          p.end());
  return p;
}

AuthorizationRefusal refusal(const Params& p, const Client* c = &kPublic, LoginConfig config = {},
                             bool pushed = false) {
  auto r = checkAuthorizationRequest(p, "web", c, config, pushed);
  EXPECT_TRUE(std::holds_alternative<AuthorizationRefusal>(r));
  return std::holds_alternative<AuthorizationRefusal>(r) ? std::get<AuthorizationRefusal>(r)
                                                         : AuthorizationRefusal{};
}

TEST(AuthorizationRequestTest, AGoodRequestIsReadWhole) {
  auto r = checkAuthorizationRequest(
      with(with(good(), "prompt", "login consent"), "max_age", "300"), "web", &kPublic, {}, false);
  ASSERT_TRUE(std::holds_alternative<AuthorizationRequest>(r));
  const auto& ar = std::get<AuthorizationRequest>(r);
  EXPECT_EQ(ar.scopeString(), "openid orders");
  EXPECT_EQ(ar.code_challenge, kChallenge);
  EXPECT_TRUE(ar.hasPrompt("consent"));
  EXPECT_EQ(ar.max_age.value_or(-1), 300);
  auto round = AuthorizationRequest::fromJson(ar.toJson());
  ASSERT_TRUE(round);
  EXPECT_EQ(round->toJson(), ar.toJson());
}

TEST(AuthorizationRequestTest, UnknownClientOrRedirectUriIsAPageNeverARedirect) {
  auto r = refusal(good(), nullptr);
  EXPECT_FALSE(r.redirectable);
  EXPECT_EQ(r.error.code, ErrorCode::kInvalidClient);
  for (const char* uri : {"https://app.example/cb/", "https://APP.example/cb",
                          "https://app.example/cb?x=1", "https://evil.example/cb"}) {
    r = refusal(with(good(), "redirect_uri", uri));
    EXPECT_FALSE(r.redirectable) << uri;
    EXPECT_EQ(r.error.description, std::string("redirect_uri '") + uri +
                                       "' is not registered for client 'web' (it must match a "
                                       "registered URI exactly)");
  }
  r = refusal(without(good(), "redirect_uri"));
  EXPECT_FALSE(r.redirectable);
}

TEST(AuthorizationRequestTest, PkceIsS256OnlyAndRequiredForPublicClients) {
  auto r = refusal(with(good(), "code_challenge_method", "plain"));
  EXPECT_TRUE(r.redirectable);
  EXPECT_EQ(r.state, "s1");
  EXPECT_EQ(r.error.description, "code_challenge_method 'plain' is not accepted; use S256");
  r = refusal(without(good(), "code_challenge_method"));
  EXPECT_EQ(r.error.code, ErrorCode::kInvalidRequest);
  r = refusal(without(without(good(), "code_challenge_method"), "code_challenge"));
  EXPECT_EQ(r.error.description, "code_challenge is required (PKCE with S256) for public clients");
  r = refusal(with(good(), "code_challenge", "short"));
  EXPECT_EQ(r.error.code, ErrorCode::kInvalidRequest);
  // A confidential client may go without, unless the server requires PKCE of everyone.
  Client confidential = client(
      R"({"token_endpoint_auth_method":"client_secret_basic","grant_types":["authorization_code"],)"
      R"("response_types":["code"],"redirect_uris":["https://app.example/cb"]})");
  Params no_pkce = without(without(good(), "code_challenge_method"), "code_challenge");
  no_pkce = with(no_pkce, "scope", "openid");
  EXPECT_TRUE(std::holds_alternative<AuthorizationRequest>(
      checkAuthorizationRequest(no_pkce, "web", &confidential, {}, false)));
  LoginConfig strict;
  strict.require_pkce = true;
  r = refusal(no_pkce, &confidential, strict);
  EXPECT_EQ(r.error.description,
            "code_challenge is required (PKCE with S256) for every client of this server");
}

TEST(AuthorizationRequestTest, DpopJktIsAThumbprintKeptWithTheRequest) {
  auto r =
      checkAuthorizationRequest(with(good(), "dpop_jkt", kChallenge), "web", &kPublic, {}, false);
  ASSERT_TRUE(std::holds_alternative<AuthorizationRequest>(r));
  EXPECT_EQ(AuthorizationRequest::fromJson(std::get<AuthorizationRequest>(r).toJson())->dpop_jkt,
            kChallenge);
  auto refused = refusal(with(good(), "dpop_jkt", "short"));
  EXPECT_TRUE(refused.redirectable);
  EXPECT_EQ(refused.error.description,
            "dpop_jkt must be the 43-character base64url SHA-256 thumbprint (RFC 7638) of the "
            "DPoP key");
}

TEST(AuthorizationRequestTest, ParRequiredByClientOrServer) {
  LoginConfig par;
  par.require_par = true;
  auto r = refusal(good(), &kPublic, par);
  EXPECT_TRUE(r.redirectable);
  EXPECT_NE(r.error.description.find("pushed authorization requests are required by this server"),
            std::string::npos);
  EXPECT_TRUE(std::holds_alternative<AuthorizationRequest>(
      checkAuthorizationRequest(good(), "web", &kPublic, par, /*pushed=*/true)));
  // At the PAR endpoint nothing is redirected: the client gets JSON.
  EXPECT_FALSE(refusal(with(good(), "response_type", "token"), &kPublic, {}, true).redirectable);
}

TEST(AuthorizationRequestTest, RedirectableErrorsHaveTheirCodes) {
  EXPECT_EQ(refusal(with(good(), "response_type", "token")).error.code,
            ErrorCode::kUnsupportedResponseType);
  EXPECT_EQ(refusal(with(good(), "scope", "openid admin")).error.code, ErrorCode::kInvalidScope);
  EXPECT_EQ(refusal(with(good(), "scope", "")).error.code, ErrorCode::kInvalidScope);
  EXPECT_EQ(refusal(with(good(), "prompt", "none login")).error.code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(refusal(with(good(), "prompt", "select_account")).error.code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(refusal(with(good(), "max_age", "-1")).error.code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(refusal(with(good(), "request", "eyJ...")).error.code, ErrorCode::kRequestNotSupported);
  auto r = refusal(with(good(), "response_mode", "fragment"));
  EXPECT_EQ(r.response_mode, "query");
  r = refusal(with(with(good(), "response_mode", "form_post"), "response_type", "token"));
  EXPECT_EQ(r.response_mode, "form_post");
  Client cc_only =
      client(R"({"token_endpoint_auth_method":"none","grant_types":["client_credentials"],)"
             R"("redirect_uris":["https://app.example/cb"]})");
  EXPECT_EQ(refusal(good(), &cc_only).error.code, ErrorCode::kUnauthorizedClient);
}

TEST(ScopeClaimsTest, EachScopeReleasesItsClaimsOnly) {
  const std::string claims =
      R"({"email":"a@example.com","email_verified":true,"name":"Ann","roles":["x"],)"
      R"("address":{"country":"NL"},"phone_number":"+31"})";
  auto email = claimsForScopes(claims, {"openid", "email"});
  ASSERT_EQ(email.size(), 2u);
  EXPECT_EQ(email[0], (std::pair<std::string, std::string>{"email", "\"a@example.com\""}));
  EXPECT_EQ(email[1].second, "true");
  auto all = claimsForScopes(claims, {"profile", "address", "phone"});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1], (std::pair<std::string, std::string>{"address", R"({"country":"NL"})"}));
  EXPECT_TRUE(claimsForScopes(claims, {"openid"}).empty()) << "roles is never released by scope";
  EXPECT_TRUE(claimsForScopes("not json", {"email"}).empty());
}

TEST(IdTokenTest, AtHashIsTheLeftHalfOfTheAlgorithmsHash) {
  // Computed independently (Python hashlib).
  EXPECT_EQ(accessTokenHash("ES256", "jHkWEdUXMU1BwAsC4vtUsZwnNMcJk1Oo"), "NIEWxh6592zA__9oksSnxg");
  EXPECT_EQ(accessTokenHash("RS384", "token-384"), "iJuw9g-P0x0CnEhEzbx0PZRqEhIf9aW_");
  EXPECT_EQ(accessTokenHash("PS512", "token-512"), "6MTAjmu0edpRB4-h6QjtzlzfLUacFr10Grv6rGJ_PlM");
}

}  // namespace
}  // namespace idgate
