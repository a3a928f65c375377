// Authorization requests waiting for their next step: pushed ones (RFC 9126, kind "par", taken
// once) and those waiting for the user on the login or consent page (kind "interaction", with
// the CSRF token of their forms). In the database, so a flow begun on one node can finish on
// another; stored under the SHA-256 of their random id.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace idgate {

class Database;

struct PendingRequest {
  std::string id_hash;  ///< hex SHA-256 of the random id
  std::string kind;     ///< "par" or "interaction"
  std::string client_id;
  std::string request_json;  ///< the authorization request's parameters, a JSON object
  std::string csrf;          ///< interaction: the CSRF token its forms must carry
  std::string browser_hash;  ///< interaction: SHA-256 of the browser cookie it is bound to
  int64_t expires_at = 0;
};

class PendingRequestStore {
 public:
  virtual ~PendingRequestStore() = default;
  /// All calls throw StoreError on a database failure.
  virtual void insert(const PendingRequest& request) = 0;
  /// The request if it is of `kind`, unused and unexpired; marks it used atomically (of
  /// concurrent takers exactly one gets it).
  virtual std::optional<PendingRequest> take(const std::string& id_hash, const std::string& kind,
                                             int64_t now) = 0;
  /// The request if it is of `kind`, unused and unexpired; leaves it as it is.
  virtual std::optional<PendingRequest> find(const std::string& id_hash, const std::string& kind,
                                             int64_t now) = 0;
  virtual int64_t purge(int64_t before) = 0;
};

std::unique_ptr<PendingRequestStore> makeSqlPendingRequestStore(Database& db);

}  // namespace idgate
