// What the server knows about each file in dropins/ (shown by GET /api/admin/plugins).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugins/plugin_descriptor.h"
#include "plugins/plugin_instance.h"

namespace idgate {

struct PluginStatus {
  enum class State { kActive, kDisabled, kFailed };
  std::string file;  ///< file name inside dropins/
  State state = State::kFailed;
  std::string reason;  ///< why failed or disabled
  std::string sha256;  ///< of the file's bytes; empty when unreadable
  /// What the descriptor says (null when the file could not be read as a plugin).
  std::shared_ptr<const PluginDescriptor> descriptor;
  std::string listener_name;  ///< the identity.xml EventListener that matched, if any
  int order_id = -1;
  std::map<std::string, std::string> properties;
  /// What the instance was built from (the file, its EventListener and the global properties):
  /// a reload keeps the instance when this is unchanged.
  std::string build_key;
  /// Active only: the instance (for its call statistics).
  std::shared_ptr<const PluginInstance> instance;

  const std::string& name() const {
    static const std::string kNone;
    return descriptor ? descriptor->name : kNone;
  }
};

const char* toString(PluginStatus::State state);

}  // namespace idgate
