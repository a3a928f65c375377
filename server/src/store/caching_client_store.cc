#include "store/caching_client_store.h"

namespace idgate {

CachingClientStore::CachingClientStore(std::unique_ptr<ClientStore> inner, const Clock& clock,
                                       int64_t ttl_s, size_t capacity)
    : inner_(std::move(inner)), clock_(clock), ttl_ms_(ttl_s * 1000), capacity_(capacity) {}

std::optional<Client> CachingClientStore::find(const std::string& client_id) {
  if (ttl_ms_ <= 0) return inner_->find(client_id);
  int64_t now = clock_.nowMillis();
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(client_id);
    if (it != entries_.end() && it->second.expires_ms > now) return it->second.client;
    auto miss = unknown_.find(client_id);
    if (miss != unknown_.end() && miss->second > now) return std::nullopt;
    generation = generation_;
  }
  std::optional<Client> c = inner_->find(client_id);  // StoreError propagates: never cached
  if (!c) {
    // Unknown ids are remembered too, in a table of their own (a flood of made-up ids cannot
    // push the known clients out): an unknown id then costs what a known one does, so the time
    // of an answer does not tell which ids exist.
    std::lock_guard<std::mutex> lock(mutex_);
    if (generation != generation_) return c;
    if (unknown_.size() >= capacity_) unknown_.clear();
    unknown_[client_id] = now + ttl_ms_;
    return c;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // A write (here) during the read may have made `c` stale: then it is returned, not cached.
    if (generation != generation_) return c;
    if (entries_.size() >= capacity_) entries_.clear();
    entries_[client_id] = Entry{*c, now + ttl_ms_};
  }
  return c;
}

void CachingClientStore::forget(const std::string& client_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(client_id);
  unknown_.erase(client_id);
  ++generation_;
}

bool CachingClientStore::insert(const Client& client) {
  forget(client.client_id);
  return inner_->insert(client);
}

bool CachingClientStore::update(const Client& client, const Client& as_read) {
  forget(client.client_id);
  bool ok = inner_->update(client, as_read);
  forget(client.client_id);
  return ok;
}

bool CachingClientStore::remove(const std::string& client_id) {
  forget(client_id);
  bool ok = inner_->remove(client_id);
  forget(client_id);
  return ok;
}

}  // namespace idgate
