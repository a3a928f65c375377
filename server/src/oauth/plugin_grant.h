// A grant handler plugin behind the token endpoint's GrantHandler interface. The host keeps
// what no plugin may skip: the client authenticated by the chain, registered for the grant
// type, and scopes within its registration.
#pragma once

#include <memory>

#include "oauth/grant_handler.h"
#include "plugins/grant_handler_plugin.h"

namespace idgate {

class PluginGrant : public GrantHandler {
 public:
  explicit PluginGrant(std::shared_ptr<const GrantHandlerPlugin> plugin)
      : plugin_(std::move(plugin)) {}

  const std::string& grantType() const override { return plugin_->grantType(); }
  std::optional<ApiError> precheck(const TokenRequest& request) const override;
  std::variant<Grant, ApiError> grant(const TokenRequest& request,
                                      const AuthenticatedClient& client) const override;

 private:
  std::shared_ptr<const GrantHandlerPlugin> plugin_;
};

}  // namespace idgate
