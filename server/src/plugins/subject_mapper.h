// One active subject mapper (ABI 1.2): a configured plugin instance that may replace or enrich
// the subject the resource server built from a token (Liberty's mapping SPI).
#pragma once

#include <idgate/plugin_abi.h>

#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>
#include <vector>

#include "resource/subject.h"

namespace idgate {

/// The host side of subject_set_*: collects what a mapper changes.
struct SubjectSink {
  std::string principal, unique_name, realm, reason;
  std::vector<std::string> groups;
  bool principal_set = false, unique_set = false, realm_set = false, groups_set = false;
};

struct MapResult {
  idgate_map_code code = IDGATE_MAP_ERROR;
  std::string reason;
};

class SubjectMapperPlugin {
 public:
  SubjectMapperPlugin(std::shared_ptr<boost::dll::shared_library> library,
                      const idgate_plugin_descriptor* descriptor,
                      idgate_instance_module_ptr instance, std::string name, int order_id);
  ~SubjectMapperPlugin();
  SubjectMapperPlugin(const SubjectMapperPlugin&) = delete;
  SubjectMapperPlugin& operator=(const SubjectMapperPlugin&) = delete;

  /// Calls the plugin and applies what it set to `subject` when it says MAPPED. A mapped
  /// subject without a principal, and any unknown code, become ERROR (fail closed).
  MapResult map(Subject& subject) const;

  const std::string& name() const { return name_; }
  int orderId() const { return order_id_; }

 private:
  std::shared_ptr<boost::dll::shared_library> library_;
  const idgate_plugin_descriptor* descriptor_;
  idgate_instance_module_ptr instance_;
  std::string name_;
  int order_id_;
};

}  // namespace idgate
