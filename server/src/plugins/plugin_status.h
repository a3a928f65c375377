// What the server knows about each file in dropins/ (shown by GET /api/admin/plugins).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugins/plugin_instance.h"

namespace idgate {

struct PluginStatus {
  enum class State { kActive, kDisabled, kFailed };
  std::string file;  ///< file name inside dropins/
  State state = State::kFailed;
  std::string reason;  ///< why failed or disabled
  std::string name;
  std::string kind;  ///< client_authenticator or subject_mapper (empty when unreadable)
  std::vector<std::string> aliases;
  std::string auth_method;
  std::vector<std::string> signing_algs;
  std::string listener_name;  ///< the identity.xml EventListener that matched, if any
  int order_id = -1;
  std::map<std::string, std::string> properties;
  /// Active only: the instance (for its call statistics).
  std::shared_ptr<const PluginInstance> instance;
};

const char* toString(PluginStatus::State state);

}  // namespace idgate
