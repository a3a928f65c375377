// Remembered consent: the scopes a user allowed a client to have without asking again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace idgate {

class Database;

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;
  /// All calls throw StoreError on a database failure.
  /// The space-separated scopes remembered for (subject, client), or nullopt.
  virtual std::optional<std::string> find(const std::string& subject,
                                          const std::string& client_id) = 0;
  /// Replaces what was remembered for (subject, client).
  virtual void put(const std::string& subject, const std::string& client_id,
                   const std::string& scope, int64_t now) = 0;
  virtual int64_t removeForSubject(const std::string& subject) = 0;
};

std::unique_ptr<ConsentStore> makeSqlConsentStore(Database& db);

}  // namespace idgate
