#include "oauth/client_authentication.h"

#include <Poco/Logger.h>

#include "store/store_error.h"

namespace idgate {
namespace {

std::string registeredMethod(const Client& c) {
  const ClientMetadataView& m = c.metadata();
  return m.readable ? m.token_endpoint_auth_method : std::string();
}

}  // namespace

std::variant<AuthenticatedClient, ApiError> ClientAuthenticationChain::authenticate(
    const TokenRequest& request) const {
  bool basic = !request.authorization.empty();
  // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
  int carriers =
      (basic ? 1 : 0) + (request.param("client_secret") ? 1 : 0) +
      ((request.param("client_assertion") || request.param("client_assertion_type")) ? 1 : 0);
  if (carriers > 1) {
    return ApiError{ErrorCode::kInvalidRequest, "more than one client authentication method used"};
  }

  AuthRequestView view{request.params, request.authorization, request.endpoint_url};
  const std::shared_ptr<const PluginSet> set = plugins_();
  for (const auto& plugin : set->authenticators) {
    AuthOutcome o = plugin->authenticate(view);
    switch (o.code) {
      case IDGATE_AUTH_NOT_HANDLED:
        continue;
      case IDGATE_AUTH_BAD_REQUEST:
        return ApiError{ErrorCode::kInvalidRequest,
                        o.reason.empty() ? "malformed client authentication" : o.reason};
      case IDGATE_AUTH_SERVER_ERROR:
        Poco::Logger::get("idgate.auth")
            .error(plugin->name() + " reported a server error: " + o.reason);
        return ApiError{ErrorCode::kServerError, "client authentication could not be completed"};
      case IDGATE_AUTH_AUTHENTICATED: {
        std::optional<Client> client;
        try {
          client = clients_.find(o.client_id);
        } catch (const StoreError& e) {
          Poco::Logger::get("idgate.store").error(e.what());
          return ApiError{ErrorCode::kServerError, "client store unavailable"};
        }
        if (!client) return ApiError{ErrorCode::kInvalidClient, "client unknown", basic};
        std::string registered = registeredMethod(*client);
        if (registered != plugin->authMethod() && plugin->authMethod() == "none") {
          // No credential was proven: say no more than for an unknown id (plugins/none).
          return ApiError{ErrorCode::kInvalidClient,
                          "client unknown, or not registered for token_endpoint_auth_method none",
                          basic};
        }
        if (registered != plugin->authMethod()) {
          return ApiError{
              ErrorCode::kInvalidClient,
              "client is registered for " + registered + ", not " + plugin->authMethod(), basic};
        }
        return AuthenticatedClient{std::move(*client), plugin->authMethod()};
      }
      default:
        return ApiError{ErrorCode::kInvalidClient,
                        o.reason.empty() ? "client authentication failed" : o.reason, basic};
    }
  }
  return ApiError{ErrorCode::kInvalidClient,
                  "no client authentication method applies to the request", basic};
}

}  // namespace idgate
