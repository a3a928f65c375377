// Registered clients. An interface, so tests can substitute a failing or in-memory store.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/client.h"

namespace idgate {

class Database;

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  /// All calls throw StoreError on a database failure.
  virtual std::optional<Client> find(const std::string& client_id) = 0;
  virtual std::vector<Client> list() = 0;
  /// false when the id is taken.
  virtual bool insert(const Client& client) = 0;
  /// false when there is no such client.
  virtual bool update(const Client& client) = 0;
  virtual bool remove(const std::string& client_id) = 0;
};

std::unique_ptr<ClientStore> makeSqlClientStore(Database& db);

}  // namespace idgate
