// The loader against real dropins: the bundled plugins and one fixture per failure mode.
#include "plugins/plugin_manager.h"

#include <gtest/gtest.h>

#include <filesystem>

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
    DatabaseConfig dc;
    dc.path = dir_.file("x.db");
    db_ = std::make_unique<Database>(dc);
    clients_ = makeSqlClientStore(*db_);
    jtis_ = makeSqlJtiStore(*db_);
    host_ = std::make_unique<HostServices>(
        *clients_, *jtis_, clock_, [] { return std::make_shared<const Keystore>(); },
        std::make_shared<const crypto::SecretBox>(std::string(32, 'k')),
        std::map<std::string, std::string>{}, 60);
  }

  void drop(const std::string& folder, const std::string& file) {
    fs::copy_file(folder + "/" + file, dir_.file("dropins/" + file));
  }

  PluginManager& load() {
    manager_ = std::make_unique<PluginManager>(dir_.file("dropins"), identity_, *host_);
    manager_->loadAll();
    return *manager_;
  }

  const PluginStatus& status(const std::string& file) {
    for (const auto& s : manager_->statuses()) {
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
  std::unique_ptr<HostServices> host_;
  std::unique_ptr<PluginManager> manager_;
};

TEST_F(PluginManagerTest, EachBrokenFileIsReportedAndSkipped) {
  for (const char* f :
       {"fixture_abi_mismatch.so", "fixture_no_entry_point.so", "fixture_not_elf.so",
        "fixture_config_refused.so", "fixture_throws_in_constructor.so"}) {
    drop(test::fixtureDropins(), f);
  }
  drop(test::bundledDropins(), "idgate-client-secret-basic.so");
  load();
  EXPECT_EQ(status("fixture_abi_mismatch.so").reason, "ABI major version 99, server speaks 1");
  EXPECT_EQ(status("fixture_no_entry_point.so").reason,
            "no entry point idgate_plugin_descriptor_v1");
  EXPECT_EQ(status("fixture_not_elf.so").reason, "not a shared library (no ELF header)");
  EXPECT_EQ(status("fixture_config_refused.so").reason,
            "configuration refused: property RequiredSetting is missing");
  EXPECT_EQ(status("fixture_throws_in_constructor.so").reason, "constructor threw an exception");
  for (const char* f :
       {"fixture_abi_mismatch.so", "fixture_no_entry_point.so", "fixture_not_elf.so",
        "fixture_config_refused.so", "fixture_throws_in_constructor.so"}) {
    EXPECT_EQ(status(f).state, PluginStatus::State::kFailed) << f;
  }
  ASSERT_EQ(manager_->authenticators().size(), 1u);
  EXPECT_EQ(manager_->authenticators()[0]->name(), "client_secret_basic");
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
  ASSERT_EQ(manager_->authenticators().size(), 3u);
  EXPECT_EQ(manager_->authenticators()[0]->name(), "none") << "no entry: enabled with orderId -1";
  EXPECT_EQ(manager_->authenticators()[1]->name(), "client_secret_post");
  EXPECT_EQ(manager_->authenticators()[2]->name(), "client_secret_basic")
      << "matched by WSO2 class name";
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
  EXPECT_TRUE(manager_->authenticators().empty());
  EXPECT_EQ(status("idgate-client-secret-basic.so").state, PluginStatus::State::kDisabled);
  EXPECT_EQ(status("idgate-client-secret-basic.so").reason, "disabled in identity.xml");
  EXPECT_EQ(status("idgate-none.so").reason,
            "identity.xml enable attribute is not true or false; treated as disabled");
}

TEST_F(PluginManagerTest, GarbageCodeAndThrowingPluginAreDenials) {
  drop(test::fixtureDropins(), "fixture_garbage_code.so");
  drop(test::fixtureDropins(), "fixture_throws_in_authenticate.so");
  load();
  ASSERT_EQ(manager_->authenticators().size(), 2u);
  for (const auto& a : manager_->authenticators()) {
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
  EXPECT_TRUE(manager_->subjectMappers().empty());
  EXPECT_EQ(status("fixture_mapper_modes.so").state, PluginStatus::State::kDisabled);
  EXPECT_EQ(status("fixture_mapper_modes.so").kind, "subject_mapper");
  EXPECT_EQ(status("fixture_mapper_modes.so").reason,
            "subject mappers are enabled only by an identity.xml EventListener");
  EXPECT_TRUE(manager_->authenticators().empty()) << "a mapper is not an authenticator";
}

TEST_F(PluginManagerTest, SubjectMapperOutcomesFailClosed) {
  drop(test::fixtureDropins(), "fixture_mapper_modes.so");
  EventListenerConfig on;
  on.name = "com.example.ModesMapper";
  identity_.listeners = {on};
  load();
  ASSERT_EQ(manager_->subjectMappers().size(), 1u);
  const auto& m = *manager_->subjectMappers()[0];
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
  EXPECT_TRUE(manager_->subjectMappers().empty());
  EXPECT_EQ(status("idgate-claim-subject-mapper.so").reason,
            "configuration refused: unknown property 'GroupClaim' (known: PrincipalClaim, "
            "GroupsClaim, GroupPrefix, RequiredClaim, ApplyTo)");
}

TEST_F(PluginManagerTest, DuplicateNameIsRefused) {
  drop(test::bundledDropins(), "idgate-none.so");
  fs::copy_file(test::bundledDropins() + "/idgate-none.so", dir_.file("dropins/zz-copy.so"));
  load();
  EXPECT_EQ(status("zz-copy.so").state, PluginStatus::State::kFailed);
  EXPECT_EQ(status("zz-copy.so").reason,
            "plugin name 'none' is already provided by idgate-none.so");
  EXPECT_EQ(manager_->authenticators().size(), 1u);
}

}  // namespace
}  // namespace idgate
