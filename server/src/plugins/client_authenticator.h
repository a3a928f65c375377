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
  ClientAuthenticatorPlugin(std::shared_ptr<boost::dll::shared_library> library,
                            const idgate_plugin_descriptor* descriptor,
                            idgate_instance_module_ptr instance, std::string name, int order_id);

  /// Calls the plugin. Unknown codes and AUTHENTICATED without a client id become DENIED.
  AuthOutcome authenticate(const AuthRequestView& request) const;

  const std::string& authMethod() const { return auth_method_; }
  const std::vector<std::string>& signingAlgs() const { return signing_algs_; }

 private:
  std::string auth_method_;
  std::vector<std::string> signing_algs_;
};

/// The host side of auth_result_set_*: collects what a plugin reports.
struct AuthResultSink {
  std::string client_id;
  std::string reason;
};

}  // namespace idgate
