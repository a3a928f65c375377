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
  /// false when the id is taken, also by an id that differs only in case.
  virtual bool insert(const Client& client) = 0;
  /// Writes `client` only while its row is still `as_read` (metadata, secret and updated_at as
  /// they were read): false when there is no such client or another write came in between,
  /// so a read-modify-write never puts back what a concurrent one replaced (a rotated secret).
  virtual bool update(const Client& client, const Client& as_read) = 0;
  virtual bool remove(const std::string& client_id) = 0;
  /// The registered id equal to `client_id` without regard to ASCII case (which may be
  /// `client_id` itself), or nullopt. Keystore aliases are matched without case, so no two
  /// clients may differ only in case.
  virtual std::optional<std::string> findIdIgnoringCase(const std::string& client_id) = 0;
  /// Every registered id that shares its lower-cased form with another one (databases written
  /// before ids were unique without case), sorted.
  virtual std::vector<std::string> caseCollisions() = 0;
};

std::unique_ptr<ClientStore> makeSqlClientStore(Database& db);

/// Makes client ids unique without regard to case in the database itself (an index on the
/// lower-cased id), so concurrent registrations on several nodes cannot create a pair. Only
/// possible while no pair exists; throws StoreError.
void createCaseInsensitiveClientIdIndex(Database& db);

}  // namespace idgate
