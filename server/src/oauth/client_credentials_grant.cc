#include "oauth/client_credentials_grant.h"

#include <algorithm>

#include "common/split.h"

namespace idgate {

std::vector<std::string> splitScope(const std::string& s) { return splitAny(s, " \t\n\v\f\r"); }

const std::string& ClientCredentialsGrant::grantType() const {
  static const std::string kType = "client_credentials";
  return kType;
}

std::optional<ApiError> ClientCredentialsGrant::precheck(const TokenRequest& request) const {
  auto requested = request.param("scope");
  if (requested && splitScope(*requested).empty()) {
    return ApiError{ErrorCode::kInvalidScope, "scope is empty"};
  }
  return std::nullopt;
}

std::variant<Grant, ApiError> ClientCredentialsGrant::grant(
    const TokenRequest& request, const AuthenticatedClient& client) const {
  const ClientMetadataView& meta = client.client.metadata();
  if (!meta.readable) {
    return ApiError{ErrorCode::kServerError, "stored client metadata is unreadable"};
  }
  if (!meta.allowsGrant(grantType()) || client.method == "none") {
    // RFC 6749 §4.4: only confidential clients may use client_credentials.
    return ApiError{ErrorCode::kUnauthorizedClient,
                    "client is not allowed to use the client_credentials grant"};
  }
  auto scopes = grantedScopes(request, meta);
  if (auto* err = std::get_if<ApiError>(&scopes)) return *err;
  Grant g;
  g.subject = client.client.client_id;
  g.scopes = std::get<std::vector<std::string>>(scopes);
  return g;
}

std::variant<std::vector<std::string>, ApiError> grantedScopes(const TokenRequest& request,
                                                               const ClientMetadataView& meta) {
  std::vector<std::string> allowed = splitScope(meta.scope);
  auto requested = request.param("scope");
  if (!requested) return allowed;
  std::vector<std::string> out;
  for (const auto& s : splitScope(*requested)) {
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      return ApiError{ErrorCode::kInvalidScope, "scope '" + s + "' is not allowed for this client"};
    }
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

}  // namespace idgate
