// A read-through cache in front of a ClientStore: token requests look a client up two or three
// times, and every lookup is a SQL query otherwise. Writes through this store invalidate at
// once; changes made by another server process sharing the database are seen after at most
// `ttl_s` seconds (0 disables the cache), a client registered there included: unknown ids are
// cached as well, in a table of their own.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"
#include "store/client_store.h"

namespace idgate {

class CachingClientStore : public ClientStore {
 public:
  CachingClientStore(std::unique_ptr<ClientStore> inner, const Clock& clock, int64_t ttl_s,
                     size_t capacity = 10000);

  std::optional<Client> find(const std::string& client_id) override;
  std::vector<Client> list() override { return inner_->list(); }
  bool insert(const Client& client) override;
  bool update(const Client& client, const Client& as_read) override;
  bool remove(const std::string& client_id) override;
  std::optional<std::string> findIdIgnoringCase(const std::string& client_id) override {
    return inner_->findIdIgnoringCase(client_id);
  }
  std::vector<std::string> caseCollisions() override { return inner_->caseCollisions(); }

 private:
  void forget(const std::string& client_id);

  std::unique_ptr<ClientStore> inner_;
  const Clock& clock_;
  int64_t ttl_ms_;
  size_t capacity_;
  uint64_t generation_ = 0;  // bumped by every write; a read that spans one is not cached
  std::mutex mutex_;
  struct Entry {
    Client client;
    int64_t expires_ms;
  };
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, int64_t> unknown_;  ///< id -> expiry (ms)
};

}  // namespace idgate
