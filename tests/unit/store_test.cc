// The stores run the same SQL on SQLite and PostgreSQL: every test runs against both.
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionFactory.h>

#include <gtest/gtest.h>

#include <ctime>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/authorization_code_store.h"
#include "store/client_id_collisions.h"
#include "store/client_store.h"
#include "store/consent_store.h"
#include "store/database.h"
#include "store/jti_store.h"
#include "store/login_session_store.h"
#include "store/pending_request_store.h"
#include "store/refresh_token_store.h"
#include "store/revoked_token_store.h"
#include "store/store_error.h"
#include "store/user_store.h"
#include "test_support.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      std::string base = test::postgresConnection();
      ASSERT_FALSE(base.empty())
          << "PostgreSQL fixture not running (ctest starts it: see tests/support/postgres.sh)";
      // ctest runs tests in parallel processes: each gets a database of its own.
      database_ = "idgate_unit_" + std::to_string(::getpid());
      Poco::Data::PostgreSQL::Connector::registerConnector();
      Poco::Data::Session admin("PostgreSQL", base);
      admin << "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)", now;
      admin << "CREATE DATABASE " + database_, now;
      config_.type = DatabaseConfig::Type::kPostgresql;
      config_.connection = base;
      config_.connection.replace(base.find("dbname=idgate_test"), 18, "dbname=" + database_);
    } else {
      config_.type = DatabaseConfig::Type::kSqlite;
      config_.path = dir_.file("idgate.db");
    }
    db_ = std::make_unique<Database>(config_);
    clients_ = makeSqlClientStore(*db_);
    jtis_ = makeSqlJtiStore(*db_);
  }

  void TearDown() override {
    jtis_.reset();
    clients_.reset();
    db_.reset();
    if (!database_.empty()) {
      Poco::Data::Session admin("PostgreSQL", test::postgresConnection());
      admin << "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)", now;
    }
  }

  Client client(const std::string& id) {
    Client c;
    c.client_id = id;
    c.metadata_json = "{\"client_id\":\"" + id + "\"}";
    c.secret_hash = "hash";
    c.created_at = c.updated_at = 100;
    return c;
  }

  test::TempDir dir_;
  std::string database_;
  DatabaseConfig config_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ClientStore> clients_;
  std::unique_ptr<JtiStore> jtis_;
};

TEST_P(StoreTest, MigrationsReachCurrentVersionOnce) {
  EXPECT_EQ(db_->schemaVersion(), 7);
  Database again(config_);  // re-opening applies nothing twice
  EXPECT_EQ(again.schemaVersion(), 7);
}

TEST_P(StoreTest, ClientCrud) {
  ASSERT_TRUE(clients_->insert(client("a")));
  EXPECT_FALSE(clients_->insert(client("a"))) << "duplicate id";
  auto found = clients_->find("a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret_hash.value(), "hash");
  EXPECT_FALSE(found->secret_sealed.has_value()) << "NULL stays absent";
  Client changed = *found;
  changed.secret_hash.reset();
  changed.secret_sealed = "sealed";
  changed.updated_at = 200;
  EXPECT_TRUE(clients_->update(changed, *found));
  EXPECT_EQ(clients_->find("a")->secret_sealed.value(), "sealed");
  EXPECT_FALSE(clients_->find("a")->secret_hash.has_value());
  EXPECT_FALSE(clients_->update(client("missing"), client("missing")));
  // A write based on what was read before `changed` went in writes nothing (a PUT that read
  // the client before a secret rotation must not put the old secret back), NULLs included.
  Client stale = *found;
  stale.metadata_json = "{\"client_name\":\"stale\"}";
  EXPECT_FALSE(clients_->update(stale, *found));
  EXPECT_EQ(clients_->find("a")->secret_sealed.value(), "sealed");
  Client next = *clients_->find("a");
  next.metadata_json = "{\"client_name\":\"next\"}";
  EXPECT_TRUE(clients_->update(next, *clients_->find("a"))) << "as read, NULL hash and all";
  EXPECT_EQ(clients_->find("a")->metadata_json, next.metadata_json);
  ASSERT_TRUE(clients_->insert(client("b")));
  EXPECT_EQ(clients_->list().size(), 2u);
  EXPECT_TRUE(clients_->remove("a"));
  EXPECT_FALSE(clients_->remove("a"));
  EXPECT_FALSE(clients_->find("a").has_value());
}

TEST_P(StoreTest, ClientIdsAreUniqueWithoutCase) {
  ASSERT_TRUE(clients_->insert(client("Tenant-A")));
  EXPECT_FALSE(clients_->insert(client("tenant-a"))) << "differs only in case";
  EXPECT_FALSE(clients_->find("tenant-a").has_value());
  EXPECT_EQ(clients_->findIdIgnoringCase("TENANT-a").value_or(""), "Tenant-A");
  EXPECT_EQ(clients_->findIdIgnoringCase("Tenant-A").value_or(""), "Tenant-A");
  EXPECT_FALSE(clients_->findIdIgnoringCase("tenant-b").has_value());
  EXPECT_TRUE(clients_->caseCollisions().empty());

  // A pair written before the rule (no index, plain INSERT) is listed; the index cannot be
  // created while it exists.
  Poco::Data::Session s = db_->session();
  s << "INSERT INTO IDGATE_CLIENT (CLIENT_ID, METADATA, CREATED_AT, UPDATED_AT) "
       "VALUES ('TENANT-A', '{}', 1, 1)",
      now;
  EXPECT_EQ(clients_->caseCollisions(), (std::vector<std::string>{"TENANT-A", "Tenant-A"}));
  EXPECT_EQ(clients_->findIdIgnoringCase("TENANT-A").value_or(""), "TENANT-A") << "exact first";
  EXPECT_THROW(createCaseInsensitiveClientIdIndex(*db_), StoreError);
  ClientIdCollisions collisions;
  collisions.refresh(*clients_);
  EXPECT_TRUE(collisions.blocks("tenant-a"));
  EXPECT_FALSE(collisions.blocks("tenant-b"));
  ASSERT_TRUE(clients_->remove("TENANT-A"));
  collisions.refresh(*clients_);
  EXPECT_FALSE(collisions.blocks("tenant-a"));
  createCaseInsensitiveClientIdIndex(*db_);
  s << "DELETE FROM IDGATE_CLIENT", now;
  ASSERT_TRUE(clients_->insert(client("x")));
  EXPECT_THROW((s << "INSERT INTO IDGATE_CLIENT (CLIENT_ID, METADATA, CREATED_AT, UPDATED_AT) "
                     "VALUES ('X', '{}', 1, 1)",
                now),
               Poco::Exception)
      << "the database itself refuses the pair";
}

TEST_P(StoreTest, AsyncJtiAnswersAfterTheRowIsCommitted) {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::pair<JtiStore::Result, int64_t>>
      answers;  // result, rows seen by another session
  std::thread::id committer;
  auto done = [&](JtiStore::Result r, std::exception_ptr error) {
    ASSERT_FALSE(error);
    // Another session sees the row already: the answer comes after the commit, not before.
    Poco::Data::Session other = db_->session();
    Poco::Int64 rows = 0;
    other << "SELECT COUNT(*) FROM IDN_OIDC_JTI WHERE JWT_ID = 'async-1'", into(rows), now;
    std::lock_guard<std::mutex> lock(m);
    committer = std::this_thread::get_id();
    answers.emplace_back(r, rows);
    cv.notify_all();
  };
  jtis_->checkAndInsertAsync("c", "async-1", 2000, 1000, done);
  {
    std::unique_lock<std::mutex> lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return answers.size() == 1; }));
  }
  jtis_->checkAndInsertAsync("c", "async-1", 2000, 1000, done);
  std::unique_lock<std::mutex> lock(m);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return answers.size() == 2; }));
  EXPECT_EQ(answers[0], std::make_pair(JtiStore::Result::kFresh, int64_t{1}));
  EXPECT_EQ(answers[1], std::make_pair(JtiStore::Result::kReplayed, int64_t{1}));
  EXPECT_NE(committer, std::this_thread::get_id()) << "no caller thread waited for it";
}

TEST_P(StoreTest, CommitWindowKeepsEveryAnswerExact) {
  jtis_ = makeSqlJtiStore(*db_, 20000);  // 20 ms: groups grow while busy
  std::atomic<int> fresh{0}, replayed{0}, failed{0};
  auto done = [&](JtiStore::Result r, std::exception_ptr error) {
    if (error)
      ++failed;
    else if (r == JtiStore::Result::kFresh)
      ++fresh;
    else
      ++replayed;
  };
  for (int i = 0; i < 200; ++i) {
    jtis_->checkAndInsertAsync("c", "w" + std::to_string(i % 100), 2000, 1000, done);
  }
  for (int i = 0; i < 500 && fresh + replayed + failed < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fresh.load(), 100);
  EXPECT_EQ(replayed.load(), 100);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(jtis_->checkAndInsert("c", "w1", 2000, 1000), JtiStore::Result::kReplayed);
  jtis_.reset();  // stops promptly even inside a window
}

TEST_P(StoreTest, JtiIsFreshOnceThenReplayed) {
  EXPECT_EQ(jtis_->checkAndInsert("c1", "j1", 1100, 1000), JtiStore::Result::kFresh);
  EXPECT_EQ(jtis_->checkAndInsert("c1", "j1", 1100, 1000), JtiStore::Result::kReplayed);
  EXPECT_EQ(jtis_->checkAndInsert("c2", "j1", 1100, 1000), JtiStore::Result::kFresh)
      << "jti namespace is per client";
}

TEST_P(StoreTest, ExpiredJtiNoLongerBlocks) {
  EXPECT_EQ(jtis_->checkAndInsert("c1", "j1", 1100, 1000), JtiStore::Result::kFresh);
  EXPECT_EQ(jtis_->checkAndInsert("c1", "j1", 1300, 1100), JtiStore::Result::kReplayed)
      << "live at exp";
  EXPECT_EQ(jtis_->checkAndInsert("c1", "j1", 1300, 1101), JtiStore::Result::kFresh);
}

TEST_P(StoreTest, PurgeDeletesOnlyExpiredInBatches) {
  for (int i = 0; i < 5; ++i) jtis_->checkAndInsert("c", "old" + std::to_string(i), 50, 10);
  jtis_->checkAndInsert("c", "live", 500, 10);
  EXPECT_EQ(jtis_->purgeExpired(100, 3), 3);
  EXPECT_EQ(jtis_->purgeExpired(100, 3), 2);
  EXPECT_EQ(jtis_->purgeExpired(100, 3), 0);
  EXPECT_EQ(jtis_->checkAndInsert("c", "live", 500, 100), JtiStore::Result::kReplayed);
}

TEST_P(StoreTest, ConcurrentInsertsOfOneJtiHaveExactlyOneWinner) {
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> fresh{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, round] {
        try {
          if (jtis_->checkAndInsert("c", "race" + std::to_string(round), 5000, 10) ==
              JtiStore::Result::kFresh) {
            ++fresh;
          }
        } catch (const StoreError&) {
          ++errors;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(fresh.load(), 1) << "round " << round;
  }
}

TEST_P(StoreTest, AnAuthorizationCodeIsRedeemedOnceThenReportedAsReplayed) {
  auto codes = makeSqlAuthorizationCodeStore(*db_);
  AuthorizationCode c;
  c.code_hash = authorizationCodeHash("the-code");
  c.client_id = "web";
  c.redirect_uri = "https://app.example/cb";
  c.subject = "s1";
  c.scope = "openid email";
  c.nonce = "n-1";
  c.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  c.session_id = "sid";
  c.auth_time = 1000;
  c.expires_at = 1060;
  ASSERT_TRUE(codes->insert(c));
  EXPECT_FALSE(codes->insert(c)) << "one row per code";
  EXPECT_EQ(c.code_hash.size(), 64u);
  EXPECT_NE(c.code_hash, "the-code");

  auto first = codes->redeem(c.code_hash, 1010);
  ASSERT_EQ(first.outcome, AuthorizationCodeStore::Outcome::kRedeemed);
  EXPECT_EQ(first.code->redirect_uri, "https://app.example/cb");
  EXPECT_EQ(first.code->code_challenge, c.code_challenge);
  EXPECT_EQ(first.code->nonce, "n-1");
  EXPECT_EQ(first.code->auth_time, 1000);
  auto second = codes->redeem(c.code_hash, 1011);
  EXPECT_EQ(second.outcome, AuthorizationCodeStore::Outcome::kReplayed);
  EXPECT_EQ(second.code->client_id, "web") << "so what it issued can be revoked";
  EXPECT_EQ(codes->redeem(authorizationCodeHash("other"), 1010).outcome,
            AuthorizationCodeStore::Outcome::kUnknown);

  c.code_hash = authorizationCodeHash("late");
  ASSERT_TRUE(codes->insert(c));
  auto late = codes->redeem(c.code_hash, 1061);
  EXPECT_EQ(late.outcome, AuthorizationCodeStore::Outcome::kExpired);
  EXPECT_FALSE(late.code.has_value());
  EXPECT_EQ(codes->purge(1061), 2);
  EXPECT_EQ(codes->redeem(c.code_hash, 1000).outcome, AuthorizationCodeStore::Outcome::kUnknown);
}

TEST_P(StoreTest, ACodeRemembersWhatItIssuedAndEndsWithItsSession) {
  auto codes = makeSqlAuthorizationCodeStore(*db_);
  AuthorizationCode c;
  c.code_hash = authorizationCodeHash("issued");
  c.client_id = "web";
  c.session_id = "sid-1";
  c.expires_at = 1060;
  ASSERT_TRUE(codes->insert(c));
  AuthorizationCode other = c;
  other.code_hash = authorizationCodeHash("unused");
  ASSERT_TRUE(codes->insert(other));
  auto before = codes->find(c.code_hash);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->used_at, 0);
  ASSERT_EQ(codes->redeem(c.code_hash, 1000, "jti-1", 4600).outcome,
            AuthorizationCodeStore::Outcome::kRedeemed);
  EXPECT_EQ(codes->find(c.code_hash)->used_at, 1000);
  EXPECT_EQ(codes->find(c.code_hash)->issued_jti, "jti-1");
  EXPECT_FALSE(codes->find(authorizationCodeHash("never")));
  auto replay = codes->redeem(c.code_hash, 1001, "jti-2", 4601);
  ASSERT_EQ(replay.outcome, AuthorizationCodeStore::Outcome::kReplayed);
  EXPECT_EQ(replay.code->issued_jti, "jti-1");
  EXPECT_EQ(replay.code->issued_expires_at, 4600);
  // The session ends: its unused code goes, the used one stays (a replay is still told apart).
  EXPECT_EQ(codes->removeForSession("sid-1"), 1);
  EXPECT_EQ(codes->redeem(other.code_hash, 1002).outcome,
            AuthorizationCodeStore::Outcome::kUnknown);
  EXPECT_EQ(codes->redeem(c.code_hash, 1002).outcome, AuthorizationCodeStore::Outcome::kReplayed);
}

TEST_P(StoreTest, LoginSessionsAreFoundByHashOrSidUntilTheyExpireOrEnd) {
  auto sessions = makeSqlLoginSessionStore(*db_);
  LoginSession s;
  s.session_hash = std::string(64, 'a');
  s.sid = "sid-a";
  s.subject = "sub-1";
  s.username = "alice";
  s.claims_json = "{\"email\":\"a@example.com\"}";
  s.acr = "urn:example:loa:1";
  s.amr_json = "[\"pwd\"]";
  s.auth_time = 1000;
  s.expires_at = 2000;
  sessions->insert(s);
  LoginSession t = s;
  t.session_hash = std::string(64, 'b');
  t.sid = "sid-b";
  sessions->insert(t);
  auto found = sessions->find(s.session_hash, 1500);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->claims_json, s.claims_json);
  EXPECT_EQ(found->acr, "urn:example:loa:1");
  EXPECT_EQ(found->auth_time, 1000);
  EXPECT_TRUE(sessions->findBySid("sid-a", 1500));
  EXPECT_FALSE(sessions->find(s.session_hash, 2000)) << "expired";
  EXPECT_TRUE(sessions->remove(s.session_hash));
  EXPECT_FALSE(sessions->find(s.session_hash, 1500));
  EXPECT_FALSE(sessions->remove(s.session_hash));
  EXPECT_EQ(sessions->removeForSubject("sub-1"), 1);
  EXPECT_FALSE(sessions->findBySid("sid-b", 1500));
  sessions->insert(s);
  EXPECT_EQ(sessions->purge(2001), 1);
}

TEST_P(StoreTest, APushedRequestIsTakenOnceAndAnInteractionStaysUntilTaken) {
  auto pending = makeSqlPendingRequestStore(*db_);
  PendingRequest par;
  par.id_hash = std::string(64, 'p');
  par.kind = "par";
  par.client_id = "web";
  par.request_json = "{\"scope\":\"openid\"}";
  par.expires_at = 1060;
  pending->insert(par);
  EXPECT_FALSE(pending->take(par.id_hash, "interaction", 1000)) << "kinds are apart";
  EXPECT_FALSE(pending->take(par.id_hash, "par", 1060)) << "expired";
  auto taken = pending->take(par.id_hash, "par", 1000);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->request_json, par.request_json);
  EXPECT_FALSE(pending->take(par.id_hash, "par", 1001)) << "single use";

  PendingRequest ix = par;
  ix.id_hash = std::string(64, 'i');
  ix.kind = "interaction";
  ix.csrf = "csrf";
  ix.browser_hash = std::string(64, 'c');
  pending->insert(ix);
  ASSERT_TRUE(pending->find(ix.id_hash, "interaction", 1000));
  EXPECT_EQ(pending->find(ix.id_hash, "interaction", 1000)->browser_hash, ix.browser_hash);
  ASSERT_TRUE(pending->take(ix.id_hash, "interaction", 1000));
  EXPECT_FALSE(pending->find(ix.id_hash, "interaction", 1000)) << "a used interaction is gone";
  EXPECT_EQ(pending->purge(2000), 2);

  // Of concurrent takers exactly one wins.
  for (int round = 0; round < 5; ++round) {
    PendingRequest r = par;
    r.id_hash = std::string(63, 'r') + std::to_string(round);
    pending->insert(r);
    std::atomic<int> won{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        if (pending->take(r.id_hash, "par", 1000)) ++won;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1);
  }
}

TEST_P(StoreTest, ConsentIsRememberedPerUserAndClientAndRevokedTokensAreKnown) {
  auto consents = makeSqlConsentStore(*db_);
  EXPECT_FALSE(consents->find("sub-1", "web"));
  consents->put("sub-1", "web", "openid", 100);
  consents->put("sub-1", "web", "openid email", 101);
  consents->put("sub-1", "app", "openid", 101);
  EXPECT_EQ(consents->find("sub-1", "web").value_or(""), "openid email");
  EXPECT_FALSE(consents->find("sub-2", "web"));
  EXPECT_EQ(consents->removeForSubject("sub-1"), 2);
  EXPECT_FALSE(consents->find("sub-1", "app"));

  auto revoked = makeSqlRevokedTokenStore(*db_);
  EXPECT_FALSE(revoked->isRevoked("jti-1"));
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  revoked->revoke("jti-1", 500);
  revoked->revoke("jti-1", 500);  // twice is fine
  revoked->revoke("jti-2", 900);
  const int64_t after = static_cast<int64_t>(std::time(nullptr));
  EXPECT_TRUE(revoked->isRevoked("jti-1"));
  auto all = revoked->revokedSince(0, 0);
  ASSERT_EQ(all.rows.size(), 2u);
  for (const auto& r : all.rows) {
    EXPECT_GE(r.revoked_at, before - 1) << "stamped by the database's clock";
    EXPECT_LE(r.revoked_at, after + 1);
  }
  EXPECT_GE(all.database_now, before - 1);
  EXPECT_LE(all.database_now, after + 2);
  EXPECT_TRUE(revoked->revokedSince(after + 2, 0).rows.empty());
  EXPECT_EQ(revoked->revokedSince(0, 600).rows.size(), 1u) << "expired ones are left out";
  EXPECT_EQ(revoked->purge(501), 1);
  EXPECT_FALSE(revoked->isRevoked("jti-1"));
}

TEST_P(StoreTest, ARefreshTokenIsUsedOnceAndItsFamilyRevokedTogether) {
  auto tokens = makeSqlRefreshTokenStore(*db_);
  RefreshToken t;
  t.token_hash = std::string(64, '1');
  t.family_id = "fam-1";
  t.client_id = "app";
  t.subject = "user-1";
  t.scope = "openid offline_access";
  t.session_id = "sid-1";
  t.sign_in_json = "{\"acr\":\"\"}";
  t.issued_at = 1000;
  t.expires_at = 2000;
  t.family_expires_at = 5000;
  tokens->insert(t);
  RefreshToken next = t;
  next.token_hash = std::string(64, '2');
  tokens->insert(next);
  RefreshToken other = t;
  other.token_hash = std::string(64, '3');
  other.family_id = "fam-2";
  tokens->insert(other);
  auto found = tokens->find(t.token_hash);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->scope, t.scope);
  EXPECT_EQ(found->family_expires_at, 5000);
  EXPECT_EQ(found->used_at, 0);
  EXPECT_FALSE(tokens->markUsed(t.token_hash, 2000)) << "expired";
  EXPECT_TRUE(tokens->markUsed(t.token_hash, 1500));
  EXPECT_FALSE(tokens->markUsed(t.token_hash, 1501)) << "once";
  EXPECT_EQ(tokens->find(t.token_hash)->used_at, 1500);
  EXPECT_TRUE(tokens->familyAccessTokens("fam-1", 1500).empty());
  next.token_hash = std::string(64, '4');
  next.access_jti = "at-4";
  next.access_expires_at = 1600;
  tokens->insert(next);
  EXPECT_EQ(tokens->find(next.token_hash)->access_jti, "at-4");
  ASSERT_EQ(tokens->familyAccessTokens("fam-1", 1500).size(), 1u);
  EXPECT_EQ(tokens->familyAccessTokens("fam-1", 1500)[0].first, "at-4");
  EXPECT_TRUE(tokens->familyAccessTokens("fam-1", 1600).empty()) << "expired";
  EXPECT_EQ(tokens->revokeFamily("fam-1"), 3);
  EXPECT_TRUE(tokens->find(next.token_hash)->revoked);
  EXPECT_FALSE(tokens->markUsed(next.token_hash, 1502)) << "revoked";
  EXPECT_FALSE(tokens->find(other.token_hash)->revoked) << "other families untouched";
  EXPECT_EQ(tokens->purge(5001), 4);

  // Of concurrent rotations exactly one wins.
  for (int round = 0; round < 5; ++round) {
    RefreshToken r = t;
    r.token_hash = std::string(63, 'r') + std::to_string(round);
    tokens->insert(r);
    std::atomic<int> won{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        if (tokens->markUsed(r.token_hash, 1500)) ++won;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(won.load(), 1);
  }
}

TEST_P(StoreTest, ConcurrentRedemptionsOfOneCodeHaveExactlyOneWinner) {
  auto codes = makeSqlAuthorizationCodeStore(*db_);
  for (int round = 0; round < 10; ++round) {
    AuthorizationCode c;
    c.code_hash = authorizationCodeHash("race" + std::to_string(round));
    c.client_id = "web";
    c.expires_at = 5000;
    ASSERT_TRUE(codes->insert(c));
    std::atomic<int> redeemed{0}, replayed{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        try {
          auto r = codes->redeem(c.code_hash, 100);
          if (r.outcome == AuthorizationCodeStore::Outcome::kRedeemed) ++redeemed;
          if (r.outcome == AuthorizationCodeStore::Outcome::kReplayed) ++replayed;
        } catch (const StoreError&) {
          ++errors;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(redeemed.load(), 1) << "round " << round;
    EXPECT_EQ(replayed.load(), 3) << "round " << round;
  }
}

TEST_P(StoreTest, UsersKeepTheirFieldsAndCanBeDisabled) {
  auto users = makeSqlUserStore(*db_);
  User u;
  u.username = "ann";
  u.subject = "s-ann";
  u.claims_json = R"({"email":"ann@example.com"})";
  u.password_hash = "hash";
  u.created_at = u.updated_at = 100;
  ASSERT_TRUE(users->insert(u));
  User twin = u;
  twin.username = "ann2";
  EXPECT_FALSE(users->insert(twin)) << "the subject is unique too";
  u.disabled = true;
  u.updated_at = 200;
  u.claims_json = "{}";
  ASSERT_TRUE(users->update(u));
  auto back = users->find("ann");
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->disabled);
  EXPECT_EQ(back->updated_at, 200);
  EXPECT_EQ(back->claims_json, "{}");
  EXPECT_EQ(back->subject, "s-ann");
  User ghost = u;
  ghost.username = "ghost";
  EXPECT_FALSE(users->update(ghost));
  EXPECT_TRUE(users->remove("ann"));
  EXPECT_FALSE(users->find("ann").has_value());
}

TEST_P(StoreTest, JtiCommitterDoesNotTakeAPoolSession) {
  // Pool of one: the committer must not hold it, and a burst wider than the pool waits for
  // the session instead of failing.
  jtis_.reset();
  clients_.reset();
  db_.reset();
  config_.pool_size = 1;
  db_ = std::make_unique<Database>(config_);
  jtis_ = makeSqlJtiStore(*db_);
  EXPECT_EQ(jtis_->checkAndInsert("c", "pool", 5000, 10), JtiStore::Result::kFresh);
  auto clients = makeSqlClientStore(*db_);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 20; ++i) clients->find("nobody" + std::to_string(t));
      } catch (const StoreError&) {
        ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(jtis_->checkAndInsert("c", "pool", 5000, 10), JtiStore::Result::kReplayed);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(DatabaseTest, UnreachablePostgresIsAStoreError) {
  DatabaseConfig c;
  c.type = DatabaseConfig::Type::kPostgresql;
  c.connection = "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2";
  EXPECT_THROW(Database db(c), StoreError);
}

}  // namespace
}  // namespace idgate
