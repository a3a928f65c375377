// The loader against real dropins: the bundled plugins and one fixture per failure mode.
#include "plugins/plugin_manager.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/resource_server_config.h"
#include "crypto/password_hash.h"
#include "crypto/secret_box.h"
#include "oauth/client_authentication.h"
#include "plugins/host_services.h"
#include "store/database.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace idgate {
namespace {

class PluginManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.file("dropins"));
    identity_.file = "identity.xml";
    DatabaseConfig dc;
    dc.path = dir_.file("x.db");
    db_ = std::make_unique<Database>(dc);
    clients_ = makeSqlClientStore(*db_);
    jtis_ = makeSqlJtiStore(*db_);
    users_ = makeSqlUserStore(*db_);
    host_ = std::make_unique<HostServices>(
        *clients_, *jtis_, clock_, [] { return std::make_shared<const Keystore>(); },
        std::make_shared<const crypto::SecretBox>(std::string(32, 'k')),
        std::map<std::string, std::string>{}, 60, nullptr, nullptr, std::set<std::string>{},
        users_.get());
  }

  void drop(const std::string& folder, const std::string& file) {
    fs::copy_file(folder + "/" + file, dir_.file("dropins/" + file));
  }

  PluginManager& load() {
    manager_ = std::make_unique<PluginManager>(
        dir_.file("dropins"), *host_, clock_, [](const IdentityConfig& identity) {
          GlobalProperties g = identity.globalProperties();
          g["Server.Issuer"] = "https://idp.example.com";
          g["Server.TokenEndpoints"] = "https://idp.example.com/oauth2/token";
          return g;
        });
    manager_->loadAll(identity_);
    return *manager_;
  }

  std::shared_ptr<const PluginSet> set() const { return manager_->current(); }
  const std::vector<std::shared_ptr<const ClientAuthenticatorPlugin>>& authenticators() {
    set_ = set();
    return set_->authenticators;
  }
  const std::vector<std::shared_ptr<const SubjectMapperPlugin>>& mappers() {
    set_ = set();
    return set_->mappers;
  }

  const PluginStatus& status(const std::string& file) {
    set_ = set();
    for (const auto& s : set_->statuses) {
      if (s.file == file) return s;
    }
    throw std::runtime_error("no status for " + file);
  }

  test::TempDir dir_;
  test::FixedClock clock_{1000};
  IdentityConfig identity_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ClientStore> clients_;
  std::unique_ptr<JtiStore> jtis_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<HostServices> host_;
  std::unique_ptr<PluginManager> manager_;
  std::shared_ptr<const PluginSet> set_;
};

TEST_F(PluginManagerTest, EachBrokenFileIsReportedAndSkipped) {
  for (const char* f :
       {"fixture_abi_mismatch.so", "fixture_no_entry_point.so", "fixture_not_elf.so",
        "fixture_config_refused.so", "fixture_throws_in_constructor.so"}) {
    drop(test::fixtureDropins(), f);
  }
  drop(test::bundledDropins(), "idgate-client-secret-basic.so");
  load();
  EXPECT_EQ(status("fixture_abi_mismatch.so").reason,
            "ABI major version 99, server speaks 2 (and 1 through its adapter)");
  EXPECT_EQ(status("fixture_no_entry_point.so").reason,
            "no entry point idgate_plugin_v2 (ABI 2) or idgate_plugin_descriptor_v1 (ABI 1)");
  EXPECT_EQ(status("fixture_not_elf.so").reason, "not a shared library (no ELF header)");
  EXPECT_EQ(status("fixture_config_refused.so").reason,
            "configuration refused: property RequiredSetting is missing");
  EXPECT_EQ(status("idgate-client-secret-basic.so").descriptor->abi, "2.2");
  EXPECT_EQ(status("fixture_throws_in_constructor.so").reason, "constructor threw an exception");
  for (const char* f :
       {"fixture_abi_mismatch.so", "fixture_no_entry_point.so", "fixture_not_elf.so",
        "fixture_config_refused.so", "fixture_throws_in_constructor.so"}) {
    EXPECT_EQ(status(f).state, PluginStatus::State::kFailed) << f;
  }
  ASSERT_EQ(authenticators().size(), 1u);
  EXPECT_EQ(authenticators()[0]->name(), "client_secret_basic");
}

TEST_F(PluginManagerTest, OrderFollowsOrderIdAndMissingEntriesComeFirst) {
  drop(test::bundledDropins(), "idgate-client-secret-basic.so");
  drop(test::bundledDropins(), "idgate-client-secret-post.so");
  drop(test::bundledDropins(), "idgate-none.so");
  EventListenerConfig basic;
  basic.name = "org.wso2.carbon.identity.oauth2.client.authentication.BasicAuthClientAuthenticator";
  basic.order_id = 50;
  EventListenerConfig post;
  post.name = "client_secret_post";
  post.order_id = 10;
  post.properties["Example"] = "1";
  identity_.listeners = {basic, post};
  load();
  ASSERT_EQ(authenticators().size(), 3u);
  EXPECT_EQ(authenticators()[0]->name(), "none") << "no entry: enabled with orderId -1";
  EXPECT_EQ(authenticators()[1]->name(), "client_secret_post");
  EXPECT_EQ(authenticators()[2]->name(), "client_secret_basic") << "matched by WSO2 class name";
  EXPECT_EQ(status("idgate-client-secret-post.so").properties.at("Example"), "1");
  EXPECT_EQ(status("idgate-none.so").order_id, -1);
}

TEST_F(PluginManagerTest, DisabledAndInvalidEnableAreNotActive) {
  drop(test::bundledDropins(), "idgate-client-secret-basic.so");
  drop(test::bundledDropins(), "idgate-none.so");
  EventListenerConfig off;
  off.name = "client_secret_basic";
  off.enable = false;
  EventListenerConfig typo;
  typo.name = "none";
  typo.enable = false;
  typo.enable_valid = false;
  identity_.listeners = {off, typo};
  load();
  EXPECT_TRUE(authenticators().empty());
  EXPECT_EQ(status("idgate-client-secret-basic.so").state, PluginStatus::State::kDisabled);
  EXPECT_EQ(status("idgate-client-secret-basic.so").reason, "disabled in identity.xml");
  EXPECT_EQ(status("idgate-none.so").reason,
            "identity.xml enable attribute is not true or false; treated as disabled");
}

TEST_F(PluginManagerTest, GarbageCodeAndThrowingPluginAreDenials) {
  drop(test::fixtureDropins(), "fixture_garbage_code.so");
  drop(test::fixtureDropins(), "fixture_throws_in_authenticate.so");
  load();
  ASSERT_EQ(authenticators().size(), 2u);
  for (const auto& a : authenticators()) {
    AuthRequestView pass{{{"client_id", "x"}}, "", "http://x/oauth2/token"};
    EXPECT_EQ(a->authenticate(pass).code, IDGATE_AUTH_NOT_HANDLED) << a->name();
    AuthRequestView bad{{{"fixture", a->name() == "garbage_code" ? "garbage" : "throw"}},
                        "",
                        "http://x/oauth2/token"};
    AuthOutcome o = a->authenticate(bad);
    EXPECT_EQ(o.code, IDGATE_AUTH_DENIED) << a->name();
    EXPECT_EQ(o.reason, "client authentication failed") << a->name();
    EXPECT_TRUE(o.client_id.empty());
  }
}

TEST_F(PluginManagerTest, SubjectMappersRunOnlyWhenIdentityXmlEnablesThem) {
  drop(test::fixtureDropins(), "fixture_mapper_modes.so");
  drop(test::bundledDropins(), "idgate-claim-subject-mapper.so");
  load();
  EXPECT_TRUE(mappers().empty());
  EXPECT_EQ(status("fixture_mapper_modes.so").state, PluginStatus::State::kDisabled);
  EXPECT_EQ(status("fixture_mapper_modes.so").descriptor->kind_name, "subject_mapper");
  EXPECT_EQ(status("fixture_mapper_modes.so").reason,
            "subject_mapper plugins are enabled only by an identity.xml EventListener");
  EXPECT_TRUE(authenticators().empty()) << "a mapper is not an authenticator";
}

TEST_F(PluginManagerTest, SubjectMapperOutcomesFailClosed) {
  drop(test::fixtureDropins(), "fixture_mapper_modes.so");
  EventListenerConfig on;
  on.name = "com.example.ModesMapper";
  identity_.listeners = {on};
  load();
  ASSERT_EQ(mappers().size(), 1u);
  auto keep = set();
  const auto& m = *keep->mappers[0];
  auto run = [&](const std::string& principal, Subject* out = nullptr) {
    Subject s;
    s.principal = principal;
    s.realm = "r";
    s.groups = {"g"};
    MapResult r = m.map(s);
    if (out) *out = s;
    return r;
  };
  Subject s;
  EXPECT_EQ(run("alice", &s).code, IDGATE_MAP_MAPPED);
  EXPECT_EQ(s.realm, "m");
  EXPECT_EQ(s.groups, (std::vector<std::string>{"g", "seen"}));
  EXPECT_EQ(run("same", &s).code, IDGATE_MAP_UNCHANGED);
  EXPECT_EQ(s.realm, "r");
  MapResult deny = run("deny");
  EXPECT_EQ(deny.code, IDGATE_MAP_DENIED);
  EXPECT_EQ(deny.reason, "not you");
  MapResult thrown = run("throw", &s);
  EXPECT_EQ(thrown.code, IDGATE_MAP_ERROR);
  EXPECT_EQ(thrown.reason, "subject mapping failed");
  EXPECT_EQ(s.principal, "throw") << "nothing applied";
  EXPECT_EQ(run("error").reason, "directory down");
  MapResult cleared = run("clear", &s);
  EXPECT_EQ(cleared.code, IDGATE_MAP_ERROR);
  EXPECT_EQ(s.principal, "clear");
}

TEST_F(PluginManagerTest, BundledClaimMapperRefusesUnknownProperties) {
  drop(test::bundledDropins(), "idgate-claim-subject-mapper.so");
  EventListenerConfig on;
  on.name = "claim_subject_mapper";
  on.properties["GroupClaim"] = "roles";  // typo of GroupsClaim
  identity_.listeners = {on};
  load();
  EXPECT_TRUE(mappers().empty());
  EXPECT_EQ(status("idgate-claim-subject-mapper.so").reason,
            "configuration refused: unknown property 'GroupClaim' (known: PrincipalClaim, "
            "GroupsClaim, GroupPrefix, RequiredClaim, ApplyTo) (identity.xml: EventListener "
            "name=\"claim_subject_mapper\")");
}

TEST_F(PluginManagerTest, DuplicateNameIsRefused) {
  drop(test::bundledDropins(), "idgate-none.so");
  fs::copy_file(test::bundledDropins() + "/idgate-none.so", dir_.file("dropins/zz-copy.so"));
  load();
  EXPECT_EQ(status("zz-copy.so").state, PluginStatus::State::kFailed);
  EXPECT_EQ(status("zz-copy.so").reason,
            "plugin name 'none' is already provided by idgate-none.so");
  EXPECT_EQ(authenticators().size(), 1u);
}

TEST_F(PluginManagerTest, DescriptorSaysHowTheMethodKeepsItsSecret) {
  for (const char* f :
       {"idgate-client-secret-basic.so", "idgate-client-secret-post.so",
        "idgate-client-secret-jwt.so", "idgate-private-key-jwt.so", "idgate-none.so"})
    drop(test::bundledDropins(), f);
  load();
  auto s = set();
  for (const auto& st : s->statuses)
    EXPECT_EQ(st.state, PluginStatus::State::kActive) << st.file << ": " << st.reason;
  ASSERT_NE(s->method("client_secret_jwt"), nullptr);
  EXPECT_EQ(s->defaultMethod(), "client_secret_basic");
  EXPECT_EQ(s->method("client_secret_basic")->secret_form, IDGATE_SECRET_HASHED);
  EXPECT_EQ(s->method("client_secret_post")->secret_form, IDGATE_SECRET_HASHED);
  EXPECT_EQ(s->method("client_secret_jwt")->secret_form, IDGATE_SECRET_SEALED);
  EXPECT_EQ(s->method("private_key_jwt")->secret_form, IDGATE_SECRET_NONE);
  EXPECT_EQ(s->method("none")->secret_form, IDGATE_SECRET_NONE);
  EXPECT_EQ(s->method("nope"), nullptr);
  EXPECT_EQ(capabilityNames(s->method("client_secret_jwt")->capabilities),
            (std::vector<std::string>{"client_read", "client_secret_read", "jti_write"}));
  EXPECT_EQ(capabilityNames(s->method("client_secret_basic")->capabilities),
            (std::vector<std::string>{"client_secret_verify"}));
}

TEST_F(PluginManagerTest, UndeclaredHostCallsAreRefusedAndCounted) {
  drop(test::fixtureDropins(), "fixture_undeclared_capability.so");
  load();
  Client c;
  c.client_id = "svc";
  c.metadata_json = R"({"token_endpoint_auth_method":"undeclared_capability"})";
  c.secret_sealed = crypto::SecretBox(std::string(32, 'k'))
                        .seal("s3cret-value-of-32-bytes-or-more", "client-secret:svc");
  ASSERT_TRUE(clients_->insert(c));
  auto keep = set();
  ASSERT_EQ(keep->authenticators.size(), 1u);
  const auto& a = *keep->authenticators[0];
  EXPECT_EQ(a.descriptor().version, "0.3.1");
  for (int i = 0; i < 3; ++i) {
    AuthOutcome o = a.authenticate({{{"client_id", "svc"}, {"fixture", "steal"}}, "", "u"});
    EXPECT_EQ(o.code, IDGATE_AUTH_SERVER_ERROR) << "a refused call is an error, never a secret";
    EXPECT_TRUE(o.client_id.empty());
  }
  EXPECT_EQ(a.authenticate({{{"client_id", "svc"}, {"fixture", "keystore"}}, "", "u"}).code,
            IDGATE_AUTH_SERVER_ERROR);
  EXPECT_EQ(a.refusedCalls(), 4u);
}

TEST_F(PluginManagerTest, OnlyAClientAuthenticatorReadsSecretsAndOnlyOfItsMethod) {
  Client c;
  c.client_id = "hmac";
  c.metadata_json = R"({"token_endpoint_auth_method":"client_secret_jwt"})";
  c.secret_sealed = crypto::SecretBox(std::string(32, 'k'))
                        .seal("a-secret-of-at-least-32-bytes!!!", "client-secret:hmac");
  ASSERT_TRUE(clients_->insert(c));
  auto read = [&](const std::string& plugin, const std::string& method) {
    auto ctx = host_->contextFor({plugin, "", IDGATE_CAP_CLIENT_SECRET_READ, method});
    std::string out;
    auto sink = [](void* u, idgate_str b) { static_cast<std::string*>(u)->assign(b.data, b.len); };
    idgate_lookup_code rc =
        ctx->api()->client_secret_get(ctx->api()->context, {"hmac", 4}, +sink, &out);
    return std::make_pair(rc, out);
  };
  EXPECT_EQ(read("client_secret_jwt", "client_secret_jwt"),
            std::make_pair(IDGATE_LOOKUP_FOUND, std::string("a-secret-of-at-least-32-bytes!!!")));
  EXPECT_EQ(read("private_key_jwt", "private_key_jwt").first, IDGATE_LOOKUP_NOT_FOUND)
      << "another method's client";
  EXPECT_EQ(read("some_grant", "").first, IDGATE_LOOKUP_NOT_FOUND)
      << "a grant handler, customizer, mapper or user authenticator has no clients";
}

TEST_F(PluginManagerTest, AbiOneDropinsLoadThroughTheAdapter) {
  drop(test::fixtureDropins(), "fixture_legacy_authenticator.so");
  drop(test::fixtureDropins(), "fixture_legacy_mapper_modes.so");
  EventListenerConfig auth;
  auth.name = "com.example.LegacyKeyAuthenticator";
  auth.properties["Key"] = "k1";
  EventListenerConfig mapper;
  mapper.name = "legacy_mapper_modes";
  identity_.listeners = {auth, mapper};
  load();
  EXPECT_EQ(status("fixture_legacy_authenticator.so").descriptor->abi, "1.2");
  EXPECT_EQ(status("fixture_legacy_authenticator.so").state, PluginStatus::State::kActive);
  Client c;
  c.client_id = "old";
  c.metadata_json = R"({"token_endpoint_auth_method":"legacy_key"})";
  c.secret_sealed = crypto::SecretBox(std::string(32, 'k'))
                        .seal("a-secret-of-at-least-32-bytes!!!", "client-secret:old");
  ASSERT_TRUE(clients_->insert(c));
  auto keep = set();
  const auto& a = *keep->authenticators.at(0);
  AuthOutcome ok = a.authenticate({{{"key", "k1"}}, "Legacy old", "u"});
  EXPECT_EQ(ok.code, IDGATE_AUTH_AUTHENTICATED);
  EXPECT_EQ(ok.client_id, "old");
  AuthOutcome wrong = a.authenticate({{{"key", "k2"}}, "Legacy old", "u"});
  EXPECT_EQ(wrong.code, IDGATE_AUTH_DENIED);
  EXPECT_EQ(wrong.reason, "wrong key");
  // 1.x plugins keep what 1.x offered, except a client's plain secret.
  EXPECT_EQ(a.authenticate({{{"fixture", "steal"}}, "Legacy old", "u"}).code,
            IDGATE_AUTH_SERVER_ERROR);
  EXPECT_EQ(a.refusedCalls(), 1u);

  ASSERT_EQ(keep->mappers.size(), 1u);
  Subject s;
  s.principal = "alice";
  s.groups = {"g"};
  EXPECT_EQ(keep->mappers[0]->map(s).code, IDGATE_MAP_MAPPED);
  EXPECT_EQ(s.groups, (std::vector<std::string>{"g", "seen"}));
  EXPECT_EQ(s.realm, "m");
  Subject d;
  d.principal = "deny";
  MapResult denied = keep->mappers[0]->map(d);
  EXPECT_EQ(denied.code, IDGATE_MAP_DENIED);
  EXPECT_EQ(denied.reason, "not you");
}

TEST_F(PluginManagerTest, ReloadKeepsUnchangedInstancesAndSwapsChangedOnes) {
  drop(test::bundledDropins(), "idgate-client-secret-basic.so");
  drop(test::bundledDropins(), "idgate-none.so");
  // Broken since startup and unchanged: reported, but it does not block a reload.
  drop(test::fixtureDropins(), "fixture_abi_mismatch.so");
  load();
  auto first = set();
  EXPECT_EQ(first->generation, 1u);
  ASSERT_EQ(first->authenticators.size(), 2u);

  // Disable none, add post: basic keeps its instance, none goes, post comes.
  drop(test::bundledDropins(), "idgate-client-secret-post.so");
  EventListenerConfig off;
  off.name = "none";
  off.enable = false;
  identity_.listeners = {off};
  auto r = manager_->reload([&] { return identity_; });
  ASSERT_TRUE(r.applied);
  EXPECT_EQ(r.generation, 2u);
  EXPECT_EQ(r.changes, (std::vector<std::string>{"idgate-client-secret-post.so: added (active)",
                                                 "idgate-none.so: active -> disabled"}));
  auto second = set();
  EXPECT_EQ(second->generation, 2u);
  ASSERT_EQ(second->authenticators.size(), 2u);
  const PluginInstance* basic_before = nullptr;
  for (const auto& a : first->authenticators)
    if (a->name() == "client_secret_basic") basic_before = a.get();
  const PluginInstance* basic_after = nullptr;
  for (const auto& a : second->authenticators)
    if (a->name() == "client_secret_basic") basic_after = a.get();
  EXPECT_EQ(basic_before, basic_after) << "unchanged file and configuration: same instance";
  // The first set still works for a request that holds it.
  EXPECT_EQ(first->authenticators.size(), 2u);

  // A new build over the same file replaces the plugin.
  fs::remove(dir_.file("dropins/idgate-none.so"));
  fs::copy_file(test::bundledDropins() + "/idgate-client-secret-post.so",
                dir_.file("dropins/idgate-none.so"));
  identity_.listeners.clear();
  r = manager_->reload([&] { return identity_; });
  ASSERT_FALSE(r.applied) << "the copy provides client_secret_post twice";
  EXPECT_EQ(r.generation, 2u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0],
            "idgate-none.so: plugin name 'client_secret_post' is already provided by "
            "idgate-client-secret-post.so");
  EXPECT_EQ(set()->generation, 2u) << "a refused reload leaves the running set";

  fs::remove(dir_.file("dropins/idgate-client-secret-post.so"));
  r = manager_->reload([&] { return identity_; });
  ASSERT_TRUE(r.applied);
  EXPECT_EQ(r.generation, 3u);
  EXPECT_EQ(status("idgate-none.so").name(), "client_secret_post");
  EXPECT_EQ(r.changes, (std::vector<std::string>{"idgate-none.so: replaced by a new build (active)",
                                                 "idgate-client-secret-post.so: removed"}));

  // A broken identity.xml is refused with its reason.
  r = manager_->reload([]() -> IdentityConfig { throw std::runtime_error("identity.xml: bad"); });
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.problems, (std::vector<std::string>{"identity.xml: bad"}));
  EXPECT_EQ(set()->generation, 3u);
}

TEST_F(PluginManagerTest, APinnedSetOutlivesAReload) {
  drop(test::bundledDropins(), "idgate-none.so");
  load();
  {
    PluginManager::Pin pin(manager_->current());
    fs::remove(dir_.file("dropins/idgate-none.so"));
    ASSERT_TRUE(manager_->reload([&] { return identity_; }).applied);
    EXPECT_EQ(manager_->current()->generation, 1u) << "this thread still sees its set";
    EXPECT_EQ(manager_->current()->authenticators.size(), 1u);
  }
  EXPECT_EQ(manager_->current()->generation, 2u);
  EXPECT_TRUE(manager_->current()->authenticators.empty());
}

TEST_F(PluginManagerTest, TokenCustomizerChangesAreCheckedBeforeAnyIsApplied) {
  drop(test::fixtureDropins(), "fixture_customizer_modes.so");
  drop(test::bundledDropins(), "idgate-client-claims.so");
  load();
  EXPECT_TRUE(set()->customizers.empty()) << "customizers run only where identity.xml says so";
  EventListenerConfig on;
  on.name = "customizer_modes";
  identity_.listeners = {on};
  load();
  auto keep = set();
  ASSERT_EQ(keep->customizers.size(), 1u);
  const auto& c = *keep->customizers[0];
  auto run = [&](const std::string& client, ClaimList* out = nullptr) {
    ClaimList claims;
    claims.set("iss", "\"https://idp\"");
    claims.set("jti", "\"j1\"");
    claims.set("scope", "\"a\"");
    CustomizeResult r = c.customize({"access_token", "client_credentials", client, "{}"}, claims);
    if (out) *out = claims;
    return r;
  };
  ClaimList claims;
  EXPECT_EQ(run("ok", &claims).kind, CustomizeResult::Kind::kDone);
  EXPECT_EQ(claims.toJson(), R"({"iss":"https://idp","jti":"j1","seen":true})");
  for (const char* bad : {"touch-iss", "drop-jti", "bad-json", "inject", "throw", "err"}) {
    EXPECT_EQ(run(bad, &claims).kind, CustomizeResult::Kind::kError) << bad;
    EXPECT_EQ(claims.toJson(), R"({"iss":"https://idp","jti":"j1","scope":"a"})")
        << bad << ": nothing applied";
  }
  EXPECT_EQ(run("touch-iss").reason,
            "token customizer customizer_modes tried to set the protected claim 'iss'");
  EXPECT_EQ(run("drop-jti").reason,
            "token customizer customizer_modes tried to remove the protected claim 'jti'");
  CustomizeResult denied = run("deny");
  EXPECT_EQ(denied.kind, CustomizeResult::Kind::kDenied);
  EXPECT_EQ(denied.reason, "not today");
  EXPECT_EQ(
      run("inject").reason,
      "token customizer customizer_modes set claim 'x' to a value that is not one JSON value");
  EXPECT_EQ(c.callStats().failures, 9u) << "every refused change counts as a failure";
}

TEST_F(PluginManagerTest, LocalUsersVerifyThroughTheHostUserStore) {
  drop(test::bundledDropins(), "idgate-local-users.so");
  EventListenerConfig on;
  on.name = "local_users";
  identity_.listeners = {on};
  load();
  User u;
  u.username = "ann";
  u.subject = "s-ann";
  u.claims_json = R"({"email":"ann@example.com"})";
  u.password_hash = crypto::hashPassword("correct horse battery", 1000);
  ASSERT_TRUE(users_->insert(u));
  auto keep = set();
  ASSERT_EQ(keep->user_authenticators.size(), 1u);
  const auto& a = *keep->user_authenticators[0];
  UserAnswer ok = a.authenticate("ann", "correct horse battery");
  EXPECT_EQ(ok.code, IDGATE_USER_AUTHENTICATED);
  EXPECT_EQ(ok.subject, "s-ann");
  EXPECT_EQ(ok.claims_json, R"({"email":"ann@example.com"})");
  UserAnswer wrong = a.authenticate("ann", "wrong horse battery");
  EXPECT_EQ(wrong.code, IDGATE_USER_DENIED);
  EXPECT_EQ(wrong.reason, "wrong username or password");
  EXPECT_EQ(a.authenticate("bob", "whatever password").code, IDGATE_USER_NOT_HANDLED)
      << "unknown here: the next authenticator may know the user";
  u.disabled = true;
  ASSERT_TRUE(users_->update(u));
  UserAnswer disabled = a.authenticate("ann", "correct horse battery");
  EXPECT_EQ(disabled.code, IDGATE_USER_DENIED) << "the right password of a disabled user";
  EXPECT_EQ(disabled.reason, "wrong username or password") << "says no more than for a typo";
}

TEST_F(PluginManagerTest, JwtBearerGrantNeedsTrustedIssuers) {
  drop(test::bundledDropins(), "idgate-jwt-bearer-grant.so");
  EventListenerConfig on;
  on.name = "jwt_bearer_grant";
  identity_.listeners = {on};
  load();
  EXPECT_EQ(status("idgate-jwt-bearer-grant.so").state, PluginStatus::State::kFailed);
  EXPECT_EQ(status("idgate-jwt-bearer-grant.so").reason,
            "configuration refused: no <TrustedIssuer> configured: add <TrustedIssuer "
            "issuer=\"...\" jwksUri=\"...\"/> to this EventListener (identity.xml: EventListener "
            "name=\"jwt_bearer_grant\")");
  on.properties["TrustedIssuer.1.issuer"] = "https://partner";
  on.properties["TrustedIssuer.1.jwksUri"] = "https://partner/jwks";
  identity_.listeners = {on};
  load();
  auto keep = set();
  ASSERT_EQ(keep->grant_handlers.size(), 1u);
  EXPECT_EQ(keep->grantHandler("urn:ietf:params:oauth:grant-type:jwt-bearer").get(),
            keep->grant_handlers[0].get());
  GrantAnswer a = keep->grant_handlers[0]->handle(
      {"urn:ietf:params:oauth:grant-type:jwt-bearer", {}, "c", "{}", "https://idp/oauth2/token"});
  EXPECT_EQ(a.code, IDGATE_GRANT_INVALID_REQUEST);
  EXPECT_EQ(a.reason, "assertion is required (a JWT signed by a trusted issuer)");
}

TEST_F(PluginManagerTest, BasicRegistryUsersSignInWithEachPasswordEncoding) {
  std::vector<RegistryUser> registry = {
      {"hashed", {"admins"}, crypto::hashPassword("hashed-password-1", 1000)},
      {"xored",
       {},
       "{xor}" /* "xor-pass" ^ '_' */ "JzAtci8+LCw="},
      {"plain", {"ops", "dev"}, "plain-password"},
      {"nopass", {}, ""}};
  host_ = std::make_unique<HostServices>(
      *clients_, *jtis_, clock_, [] { return std::make_shared<const Keystore>(); },
      std::make_shared<const crypto::SecretBox>(std::string(32, 'k')),
      std::map<std::string, std::string>{}, 60, nullptr, nullptr, std::set<std::string>{},
      users_.get(), registry);
  drop(test::bundledDropins(), "idgate-basic-registry.so");
  EventListenerConfig on;
  on.name = "basic_registry";
  identity_.listeners = {on};
  load();
  auto keep = set();
  ASSERT_EQ(keep->user_authenticators.size(), 1u);
  const auto& a = *keep->user_authenticators[0];
  UserAnswer h = a.authenticate("hashed", "hashed-password-1");
  EXPECT_EQ(h.code, IDGATE_USER_AUTHENTICATED);
  EXPECT_EQ(h.subject, "hashed");
  EXPECT_EQ(h.claims_json, R"({"groups":["admins"]})");
  EXPECT_EQ(a.authenticate("xored", "xor-pass").code, IDGATE_USER_AUTHENTICATED);
  EXPECT_EQ(a.authenticate("plain", "plain-password").claims_json, R"({"groups":["ops","dev"]})");
  EXPECT_EQ(a.authenticate("plain", "plain-passwor").code, IDGATE_USER_DENIED);
  EXPECT_EQ(a.authenticate("xored", "xor-pas").code, IDGATE_USER_DENIED);
  EXPECT_EQ(a.authenticate("nopass", "anything").code, IDGATE_USER_DENIED);
  EXPECT_EQ(a.authenticate("stranger", "anything").code, IDGATE_USER_NOT_HANDLED);
}

}  // namespace
}  // namespace idgate
