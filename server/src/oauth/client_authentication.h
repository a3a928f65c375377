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
#include "plugins/client_authenticator.h"
#include "store/client_store.h"

namespace idgate {

using PluginList = std::vector<std::shared_ptr<const ClientAuthenticatorPlugin>>;

class ClientAuthenticationChain : public ClientAuthenticator {
 public:
  ClientAuthenticationChain(const PluginList& plugins, ClientStore& clients)
      : plugins_(plugins), clients_(clients) {}

  std::variant<AuthenticatedClient, ApiError> authenticate(
      const TokenRequest& request) const override;

 private:
  const PluginList& plugins_;
  ClientStore& clients_;
};

}  // namespace idgate
