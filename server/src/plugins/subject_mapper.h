// One active subject mapper (ABI 1.2 and 2.0): a configured plugin instance that may replace or
// enrich the subject the resource server built from a token (Liberty's mapping SPI).
#pragma once

#include <idgate/plugin_abi.h>

#include <memory>
#include <string>
#include <vector>

#include "plugins/plugin_instance.h"
#include "resource/subject.h"

namespace idgate {

struct MapResult {
  idgate_map_code code = IDGATE_MAP_ERROR;
  std::string reason;
};

class SubjectMapperPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  /// Calls the plugin and applies what it set to `subject` when it says MAPPED. A mapped
  /// subject without a principal, and any unknown code, become ERROR (fail closed).
  MapResult map(Subject& subject) const;
};

}  // namespace idgate
