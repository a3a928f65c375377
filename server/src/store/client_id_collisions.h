// Client ids that differ only in case from another registered id. Keystore aliases are matched
// without case (as keytool does), so a certificate imported under one such id would also
// authenticate the other: the keystore path refuses every id listed here until an operator
// deletes one of each pair. New pairs cannot arise (registration refuses them); the list comes
// from databases written before that rule, read at startup and after every deletion.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "store/client_store.h"

namespace idgate {

class ClientIdCollisions {
 public:
  /// Reads the colliding ids from the store; returns them (sorted). Throws StoreError.
  std::vector<std::string> refresh(ClientStore& store);

  /// True when `alias` equals, without regard to case, an id that collides with another.
  bool blocks(const std::string& alias) const;
  bool empty() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lowered_.empty();
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> lowered_;
};

}  // namespace idgate
