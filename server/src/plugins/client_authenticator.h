// One active client authenticator: a configured plugin instance, and the library that made it.
#pragma once

#include <idgate/plugin_abi.h>

#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>
#include <vector>

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

class ClientAuthenticatorPlugin {
 public:
  ClientAuthenticatorPlugin(std::shared_ptr<boost::dll::shared_library> library,
                            const idgate_plugin_descriptor* descriptor,
                            idgate_instance_module_ptr instance, std::string name, int order_id);
  /// Destroys the instance before the library can be unloaded.
  ~ClientAuthenticatorPlugin();
  ClientAuthenticatorPlugin(const ClientAuthenticatorPlugin&) = delete;
  ClientAuthenticatorPlugin& operator=(const ClientAuthenticatorPlugin&) = delete;

  /// Calls the plugin. Unknown codes and AUTHENTICATED without a client id become DENIED.
  AuthOutcome authenticate(const AuthRequestView& request) const;

  const std::string& name() const { return name_; }
  const std::string& authMethod() const { return auth_method_; }
  const std::vector<std::string>& signingAlgs() const { return signing_algs_; }
  int orderId() const { return order_id_; }

 private:
  std::shared_ptr<boost::dll::shared_library> library_;
  const idgate_plugin_descriptor* descriptor_;
  idgate_instance_module_ptr instance_;
  std::string name_;
  std::string auth_method_;
  std::vector<std::string> signing_algs_;
  int order_id_;
};

/// The host side of auth_result_set_*: collects what a plugin reports.
struct AuthResultSink {
  std::string client_id;
  std::string reason;
};

}  // namespace idgate
