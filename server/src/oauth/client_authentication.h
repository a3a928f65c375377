// The authenticator chain: asks the active client authenticator plugins in orderId order;
// the first that handles the request decides. The host enforces what no plugin may skip:
// one authentication method per request, and the method the client registered.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "oauth/client_authenticator.h"
#include "oauth/token_request.h"
#include "plugins/plugin_set.h"
#include "store/client_store.h"

namespace idgate {

/// The plugin set in force for the calling request.
using PluginSetSource = std::function<std::shared_ptr<const PluginSet>()>;

class ClientAuthenticationChain : public ClientAuthenticator {
 public:
  ClientAuthenticationChain(PluginSetSource plugins, ClientStore& clients)
      : plugins_(std::move(plugins)), clients_(clients) {}

  std::variant<AuthenticatedClient, ApiError> authenticate(
      const TokenRequest& request) const override;

 private:
  PluginSetSource plugins_;
  ClientStore& clients_;
};

}  // namespace idgate
