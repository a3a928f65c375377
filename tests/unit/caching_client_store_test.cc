#include "store/caching_client_store.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace idgate {
namespace {

/// Counts lookups; holds clients in a map.
class CountingStore : public ClientStore {
 public:
  std::optional<Client> find(const std::string& id) override {
    ++finds;
    auto it = clients.find(id);
    if (it == clients.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Client> list() override { return {}; }
  bool insert(const Client& c) override { return clients.emplace(c.client_id, c).second; }
  bool update(const Client& c, const Client&) override {
    return clients.count(c.client_id) && (clients[c.client_id] = c, true);
  }
  bool remove(const std::string& id) override { return clients.erase(id) == 1; }
  std::optional<std::string> findIdIgnoringCase(const std::string&) override {
    return std::nullopt;
  }
  std::vector<std::string> caseCollisions() override { return {}; }

  std::map<std::string, Client> clients;
  int finds = 0;
};

TEST(CachingClientStoreTest, UnknownIdsAreCachedLikeKnownOnesAndForgottenOnInsert) {
  auto inner = std::make_unique<CountingStore>();
  CountingStore* counting = inner.get();
  test::FixedClock clock(1000);
  CachingClientStore store(std::move(inner), clock, 5);
  Client a;
  a.client_id = "a";
  ASSERT_TRUE(store.insert(a));
  EXPECT_TRUE(store.find("a"));
  EXPECT_TRUE(store.find("a"));
  EXPECT_FALSE(store.find("nobody"));
  EXPECT_FALSE(store.find("nobody"));
  EXPECT_EQ(counting->finds, 2) << "one lookup each, known or not";
  Client n;
  n.client_id = "nobody";
  ASSERT_TRUE(store.insert(n));
  EXPECT_TRUE(store.find("nobody")) << "a registration here is seen at once";
  EXPECT_FALSE(store.find("elsewhere"));
  counting->clients.emplace("elsewhere", Client{});  // then registered by another node
  EXPECT_FALSE(store.find("elsewhere")) << "the cached answer, for up to the cache time";
  clock.advance(6);
  EXPECT_TRUE(store.find("elsewhere")) << "seen after the cache time";
}

}  // namespace
}  // namespace idgate
