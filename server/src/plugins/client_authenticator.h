// One active client authenticator: a configured plugin instance, and the library that made it.
#pragma once

#include <idgate/plugin_abi.h>

#include <memory>
#include <string>
#include <vector>

#include "plugins/plugin_instance.h"

namespace idgate {

struct AuthRequestView {
  std::vector<std::pair<std::string, std::string>> params;
  std::string authorization;
  std::string endpoint_url;
};

struct AuthOutcome {
  idgate_auth_code code = IDGATE_AUTH_DENIED;
  std::string client_id;
  std::string reason;
};

class ClientAuthenticatorPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  /// Calls the plugin. Unknown codes and AUTHENTICATED without a client id become DENIED.
  AuthOutcome authenticate(const AuthRequestView& request) const;

  const std::string& authMethod() const { return descriptor().auth_method; }
  const std::vector<std::string>& signingAlgs() const { return descriptor().signing_algs; }
};

/// The key/value view of `params` for the ABI (valid while `params` is).
std::vector<idgate_kv> abiParams(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace idgate
