// RevocationList: a token this node revokes is refused at once; another node's revocation is
// seen after at most propagationSeconds; a failed read while stale is "unknown", never "live".
#include <gtest/gtest.h>

#include "store/revocation_list.h"
#include "store/store_error.h"

namespace idgate {
namespace {

/// Another node's database, as far as this node can tell: rows, reads counted, failures on cue.
class SharedRows : public RevokedTokenStore {
 public:
  void revoke(const std::string& jti, int64_t exp) override { rows.push_back({jti, exp, clock}); }
  bool isRevoked(const std::string& jti) override {
    ++exact_reads;
    if (failing) throw StoreError("database down");
    for (const auto& r : rows) {
      if (r.jti == jti) return true;
    }
    return false;
  }
  Since revokedSince(int64_t since, int64_t live_at) override {
    ++reads;
    last_since = since;
    if (failing) throw StoreError("database down");
    Since out;
    for (const auto& r : rows) {
      if (r.at >= since && r.exp >= live_at) out.rows.push_back({r.jti, r.exp, r.at});
    }
    out.database_now = clock;
    return out;
  }
  int64_t purge(int64_t) override { return 0; }

  struct Row {
    std::string jti;
    int64_t exp;
    int64_t at;
  };
  std::vector<Row> rows;
  int reads = 0;
  int exact_reads = 0;
  int64_t last_since = -1;
  bool failing = false;
  int64_t clock = 0;  ///< the database's clock, which the nodes' need not agree with
};

TEST(RevocationListTest, OwnRevocationsAtOnceOthersWithinThePropagationBound) {
  auto shared = std::make_unique<SharedRows>();
  SharedRows* db = shared.get();
  RevocationList list(std::move(shared), 5);
  const int64_t t0 = 1'000'000;
  db->clock = t0 - 500;  // the database's clock is far behind this node's: it must not matter
  EXPECT_EQ(list.check("a", t0), RevocationList::Verdict::kLive);
  EXPECT_EQ(db->reads, 1);
  EXPECT_EQ(db->last_since, 0) << "the first read loads every live row";

  list.revoke("mine", t0 + 600);
  EXPECT_EQ(list.check("mine", t0 + 1), RevocationList::Verdict::kRevoked) << "at once";

  db->clock += 2;
  db->revoke("theirs", t0 + 600);  // another node, same database
  EXPECT_EQ(list.check("theirs", t0 + 4), RevocationList::Verdict::kLive) << "not read yet";
  EXPECT_EQ(db->reads, 1) << "fresh for 5 s: no read";
  EXPECT_EQ(list.check("theirs", t0 + 5), RevocationList::Verdict::kRevoked) << "within 5 s";
  EXPECT_EQ(db->reads, 2);
  db->clock += 100;
  db->revoke("later", t0 + 600);
  EXPECT_EQ(list.check("later", t0 + 10), RevocationList::Verdict::kRevoked);
  EXPECT_EQ(db->last_since, t0 - 498 - RevocationList::kOverlapSeconds)
      << "from the newest revocation read, by the database's clock";
}

TEST(RevocationListTest, ARowStampedAheadOfTheDatabaseDoesNotHideLaterOnes) {
  auto shared = std::make_unique<SharedRows>();
  SharedRows* db = shared.get();
  RevocationList list(std::move(shared), 5);
  db->clock = 10'000;
  db->rows.push_back({"ahead", 99'999, 20'000});  // an old node's clock, far ahead
  EXPECT_EQ(list.check("ahead", 100), RevocationList::Verdict::kRevoked);
  db->clock = 10'001;
  db->revoke("next", 99'999);
  EXPECT_EQ(list.check("next", 106), RevocationList::Verdict::kRevoked);
}

TEST(RevocationListTest, AFailingDatabaseIsAskedOncePerSecondNotByEveryRequest) {
  auto shared = std::make_unique<SharedRows>();
  SharedRows* db = shared.get();
  RevocationList list(std::move(shared), 5);
  db->failing = true;
  EXPECT_EQ(list.check("a", 100), RevocationList::Verdict::kUnknown);
  EXPECT_EQ(list.check("b", 100), RevocationList::Verdict::kUnknown);
  EXPECT_EQ(db->reads, 1);
  EXPECT_EQ(list.check("a", 101), RevocationList::Verdict::kUnknown);
  EXPECT_EQ(db->reads, 2);
}

TEST(RevocationListTest, AFailedReadWhileStaleIsUnknownNotLive) {
  auto shared = std::make_unique<SharedRows>();
  SharedRows* db = shared.get();
  RevocationList list(std::move(shared), 5);
  EXPECT_EQ(list.check("a", 100), RevocationList::Verdict::kLive);
  db->failing = true;
  EXPECT_EQ(list.check("a", 103), RevocationList::Verdict::kLive) << "still fresh";
  EXPECT_EQ(list.check("a", 106), RevocationList::Verdict::kUnknown);
  db->failing = false;
  EXPECT_EQ(list.check("a", 107), RevocationList::Verdict::kLive);
}

TEST(RevocationListTest, ZeroPropagationAsksTheDatabaseEveryTime) {
  auto shared = std::make_unique<SharedRows>();
  SharedRows* db = shared.get();
  RevocationList list(std::move(shared), 0);
  db->revoke("theirs", 900);
  EXPECT_EQ(list.check("theirs", 100), RevocationList::Verdict::kRevoked);
  EXPECT_EQ(list.check("other", 100), RevocationList::Verdict::kLive);
  EXPECT_EQ(db->exact_reads, 2);
  db->failing = true;
  EXPECT_EQ(list.check("other", 100), RevocationList::Verdict::kUnknown);
  EXPECT_EQ(list.check("other", 100), RevocationList::Verdict::kUnknown);
  EXPECT_EQ(db->exact_reads, 3) << "not again in the second it failed";
}

TEST(RevocationListTest, ExpiredEntriesLeaveAfterTheSkewMargin) {
  auto shared = std::make_unique<SharedRows>();
  RevocationList list(std::move(shared), 5);
  list.revoke("short", 200);
  EXPECT_EQ(list.check("short", 201), RevocationList::Verdict::kRevoked)
      << "a validator's skew may still accept it";
  EXPECT_EQ(list.check("short", 200 + RevocationList::kExpiredKeptSeconds + 10),
            RevocationList::Verdict::kLive);
}

}  // namespace
}  // namespace idgate
