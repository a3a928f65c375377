#include "oauth/plugin_grant.h"

#include <Poco/Logger.h>
#include <idgate/jose/json.h>

#include <algorithm>

#include "common/json_writer.h"
#include "oauth/client_credentials_grant.h"

namespace idgate {

std::optional<ApiError> PluginGrant::precheck(const TokenRequest& request) const {
  auto requested = request.param("scope");
  if (requested && splitScope(*requested).empty()) {
    return ApiError{ErrorCode::kInvalidScope, "scope is empty"};
  }
  return std::nullopt;
}

std::variant<Grant, ApiError> PluginGrant::grant(const TokenRequest& request,
                                                 const AuthenticatedClient& client) const {
  const ClientMetadataView& meta = client.client.metadata();
  if (!meta.readable) {
    return ApiError{ErrorCode::kServerError, "stored client metadata is unreadable"};
  }
  if (!meta.allowsGrant(grantType())) {
    return ApiError{ErrorCode::kUnauthorizedClient, "client is not registered for the grant type " +
                                                        grantType() +
                                                        "; add it to the client's grant_types"};
  }
  auto scopes = grantedScopes(request, meta);
  if (auto* err = std::get_if<ApiError>(&scopes)) return *err;

  GrantCall call{
      grantType(),          request.params,  client.client.client_id, client.client.metadata_json,
      request.endpoint_url, request.dpop_jkt};
  GrantAnswer answer = plugin_->handle(call);
  switch (answer.code) {
    case IDGATE_GRANT_GRANTED:
      break;
    case IDGATE_GRANT_INVALID_GRANT:
      return ApiError{ErrorCode::kInvalidGrant, answer.reason};
    case IDGATE_GRANT_INVALID_REQUEST:
      return ApiError{ErrorCode::kInvalidRequest, answer.reason};
    case IDGATE_GRANT_INVALID_SCOPE:
      return ApiError{ErrorCode::kInvalidScope, answer.reason};
    case IDGATE_GRANT_UNAUTHORIZED_CLIENT:
      return ApiError{ErrorCode::kUnauthorizedClient, answer.reason};
    case IDGATE_GRANT_INVALID_TARGET:
      return ApiError{ErrorCode::kInvalidTarget, answer.reason};
    default:
      Poco::Logger::get("idgate.token")
          .error("grant handler " + plugin_->name() + " failed: " + answer.reason);
      return ApiError{ErrorCode::kServerError, "the grant could not be checked"};
  }
  Grant g;
  g.subject = answer.subject;
  g.scopes = std::get<std::vector<std::string>>(scopes);
  if (answer.scope) {
    // The plugin may narrow the scopes, never widen them.
    std::vector<std::string> narrowed;
    for (const auto& s : splitScope(*answer.scope)) {
      if (std::find(g.scopes.begin(), g.scopes.end(), s) != g.scopes.end()) narrowed.push_back(s);
    }
    g.scopes = std::move(narrowed);
  }
  g.extra_claims = answer.claims;
  g.audiences = answer.audiences;
  g.issued_token_type = answer.issued_token_type;
  // offline_access is a request for a refresh token: kept only when one comes with the token
  // (the plugin offers it, the client is registered for refresh_token). Never with
  // client_credentials, which is built in (RFC 6749 §4.4.3).
  auto offline = std::find(g.scopes.begin(), g.scopes.end(), "offline_access");
  if (offline != g.scopes.end()) {
    // A grant that chose the audience keeps it to itself: a refresh could not hold it.
    if (answer.issue_refresh_token && answer.audiences.empty() &&
        meta.allowsGrant("refresh_token")) {
      std::string scope;
      for (const auto& s : g.scopes) scope += (scope.empty() ? "" : " ") + s;
      // The grant's extra claims (who vouched for the subject...) come back with each refresh:
      // stored once each (the last value, as the token has it), and only if they read back.
      std::vector<std::pair<std::string, std::string>> unique;
      for (auto it = g.extra_claims.rbegin(); it != g.extra_claims.rend(); ++it) {
        bool seen = std::any_of(unique.begin(), unique.end(),
                                [&](const auto& u) { return u.first == it->first; });
        if (!seen) unique.push_back(*it);
      }
      JsonWriter claims;
      for (auto it = unique.rbegin(); it != unique.rend(); ++it) claims.raw(it->first, it->second);
      std::string carried = JsonWriter().raw("grant_claims", claims.finish()).finish();
      if (jose::parseJson(carried)) {
        g.refresh = RefreshIssue{"", 0, scope, "", carried, ""};
      } else {
        Poco::Logger::get("idgate.token")
            .warning("grant handler " + plugin_->name() +
                     ": its claims are too large or deep to keep with a refresh token; none is "
                     "issued");
        g.scopes.erase(std::find(g.scopes.begin(), g.scopes.end(), "offline_access"));
      }
    } else {
      g.scopes.erase(offline);
    }
  }
  return g;
}

}  // namespace idgate
