// One active grant handler: a grant_type of the token endpoint implemented by a plugin. The
// client has been authenticated by the client-authenticator chain before it is called.
#pragma once

#include <idgate/plugin_abi.h>

#include <optional>
#include <string>
#include <vector>

#include "plugins/plugin_instance.h"

namespace idgate {

struct GrantCall {
  std::string grant_type;
  std::vector<std::pair<std::string, std::string>> params;
  std::string client_id;
  std::string client_metadata_json;
  std::string endpoint_url;
  std::string dpop_jkt;  ///< the key of the request's verified DPoP proof, or "" (ABI 2.2)
};

struct GrantAnswer {
  idgate_grant_code code = IDGATE_GRANT_SERVER_ERROR;
  std::string subject;
  std::optional<std::string> scope;  ///< nullopt: the plugin left the scope to the host
  /// Extra claims: (name, JSON value), each value checked to be JSON.
  std::vector<std::pair<std::string, std::string>> claims;
  std::string reason;
  std::vector<std::string> audiences;  ///< ABI 2.2 "audience": the token's aud
  std::string issued_token_type;       ///< ABI 2.2: for the response (RFC 8693)
  bool issue_refresh_token = false;    ///< ABI 2.2 "refresh_token" = "issue"
};

class GrantHandlerPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  const std::string& grantType() const { return descriptor().grant_type; }
  /// Calls the plugin. GRANTED without a subject, with a claim value that is not JSON, and
  /// unknown codes become SERVER_ERROR (fail closed).
  GrantAnswer handle(const GrantCall& call) const;
};

}  // namespace idgate
