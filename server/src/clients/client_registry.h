// Client registration for the admin API: validates metadata, generates ids and secrets,
// keeps secrets only as a hash or sealed, and renders client records.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "clients/client_metadata.h"
#include "common/clock.h"
#include "common/oauth_error.h"
#include "crypto/secret_box.h"
#include "store/client_id_collisions.h"
#include "store/client_store.h"

namespace idgate {

struct RegistryResponse {
  int status = 200;
  std::string body;  ///< JSON
};

using RegistryResult = std::variant<RegistryResponse, ApiError>;

class ClientRegistry {
 public:
  ClientRegistry(ClientStore& store, const Clock& clock,
                 std::shared_ptr<const crypto::SecretBox> box, RegistrationCatalog catalog,
                 ClientIdCollisions* collisions = nullptr);

  /// Keystore aliases the server's configuration uses (lower-cased): no client id may equal
  /// one without regard to case, or that entry's certificate would be the client's key.
  void setReservedAliases(std::set<std::string> lowered) { reserved_ = std::move(lowered); }
  /// Runs before a client is deleted (its keystore certificate goes with it, so a later client
  /// whose id differs only in case cannot inherit it); a non-empty result refuses the deletion
  /// with a 500 naming it.
  /// Runs when a deletion resolves the last pair of ids that differ only in case.
  void setOnCaseCollisionsResolved(std::function<void()> hook) { on_resolved_ = std::move(hook); }
  void setBeforeDelete(std::function<std::string(const std::string& client_id)> hook) {
    before_delete_ = std::move(hook);
  }

  /// Store failures come back as kServerError; nothing here throws.
  RegistryResult create(const std::string& body);
  RegistryResult replace(const std::string& client_id, const std::string& body);
  /// A new secret for a client that has one (hashed or sealed as before), shown once; the old
  /// secret stops working at once.
  RegistryResult rotateSecret(const std::string& client_id);
  RegistryResult get(const std::string& client_id);
  RegistryResult list();
  RegistryResult remove(const std::string& client_id);

 private:
  /// Fills secret fields of `client` from the request; returns the secret to show once, if any.
  std::optional<std::string> applySecret(const ValidatedMetadata& m, Client& client,
                                         bool keep_existing);
  /// invalid_client_metadata when another client's id differs from `client_id` only in case.
  std::optional<ApiError> caseTwin(const std::string& client_id);
  /// After a conditional update wrote nothing: 404 when the client is gone, else 409.
  ApiError notUpdated(const std::string& client_id);
  std::string render(const Client& c, const std::optional<std::string>& shown_secret) const;

  ClientStore& store_;
  const Clock& clock_;
  std::shared_ptr<const crypto::SecretBox> box_;
  RegistrationCatalog catalog_;
  ClientIdCollisions* collisions_;
  std::set<std::string> reserved_;
  std::function<std::string(const std::string&)> before_delete_;
  std::function<void()> on_resolved_;
};

}  // namespace idgate
