#include "store/client_id_collisions.h"

namespace idgate {

std::vector<std::string> ClientIdCollisions::refresh(ClientStore& store) {
  std::vector<std::string> ids = store.caseCollisions();
  std::set<std::string> lowered;
  for (const auto& id : ids) lowered.insert(asciiLower(id));
  std::lock_guard<std::mutex> lock(mutex_);
  lowered_ = std::move(lowered);
  return ids;
}

bool ClientIdCollisions::blocks(const std::string& alias) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !lowered_.empty() && lowered_.count(asciiLower(alias)) != 0;
}

}  // namespace idgate
