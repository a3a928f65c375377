// What a dropin says about itself, read from its ABI 2.0 descriptor and kind table, or from an
// ABI 1.x descriptor through the adapter; and how to make and destroy its instances.
#pragma once

#include <idgate/plugin_abi.h>

#include <boost/dll/shared_library.hpp>

#include <string>
#include <vector>

#include "plugins/plugin_abi_v1.h"

namespace idgate {

class PluginHostContext;

struct PluginDescriptor {
  std::string abi;  ///< "2.0", or "1.2" etc. for a dropin loaded through the 1.x adapter
  idgate_plugin_kind kind = IDGATE_KIND_CLIENT_AUTHENTICATOR;
  std::string kind_name;  ///< client_authenticator, subject_mapper, token_customizer...
  std::string name;
  std::vector<std::string> aliases;
  std::string version;
  uint64_t capabilities = 0;

  // client_authenticator
  std::string auth_method;
  std::vector<std::string> signing_algs;
  idgate_secret_form secret_form = IDGATE_SECRET_NONE;
  bool default_method = false;
  // grant_handler
  std::string grant_type;

  const idgate_plugin_descriptor* v2 = nullptr;
  const abi1::Descriptor* v1 = nullptr;  ///< set instead of v2 for a 1.x dropin
  const void* table = nullptr;           ///< v2: the kind's table (checked size and version)

  /// Creates a configured instance with `context`'s host table; nullptr with `error` set.
  idgate_instance_module_ptr newInstance(const PluginHostContext& context,
                                         const std::vector<idgate_kv>& properties,
                                         std::string* error) const;
  void destroyInstance(idgate_instance_module_ptr instance) const;

  template <typename Table>
  const Table& tableAs() const {
    return *static_cast<const Table*>(table);
  }
};

/// Reads the descriptor `library` exports. "" on success, else why the file cannot be used.
std::string readPluginDescriptor(boost::dll::shared_library& library, PluginDescriptor* out);

}  // namespace idgate
