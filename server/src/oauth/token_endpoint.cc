#include "oauth/token_endpoint.h"

#include <Poco/Logger.h>
#include <Poco/URI.h>
#include <idgate/jose/json.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/json_writer.h"
#include "common/split.h"
#include "crypto/random.h"

namespace idgate {
namespace {

std::vector<std::string> splitScope(const std::string& s) { return splitAny(s, " \t\n\v\f\r"); }

/// RFC 8707 §2: an absolute URI (RFC 3986 characters only: anything else, non-ASCII included,
/// must be percent-encoded) without a fragment.
bool validResource(const std::string& r) {
  static const std::string_view kAllowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?[]@!$&'()*+,;=%";  // no
                                                                                               // #
  for (size_t i = 0; i < r.size(); ++i) {
    if (kAllowed.find(r[i]) == std::string_view::npos) return false;
    if (r[i] == '%' && (i + 2 >= r.size() || !std::isxdigit(static_cast<unsigned char>(r[i + 1])) ||
                        !std::isxdigit(static_cast<unsigned char>(r[i + 2])))) {
      return false;
    }
  }
  try {
    Poco::URI u(r);
    return !u.getScheme().empty() && !u.getHost().empty();
  } catch (...) {
    return false;
  }
}

}  // namespace

std::variant<TokenEndpoint::Issued, ApiError> TokenEndpoint::handle(
    const TokenRequest& request) const {
  // Request checks that need no client come first, so a malformed request burns no assertion.
  // Checks against the client's registration (grant types, scope) need the authenticated
  // client and so come after authentication: an assertion refused there is spent, as a
  // one-time assertion should be once it was presented.
  auto grant = request.param("grant_type");
  if (!grant) return ApiError{ErrorCode::kInvalidRequest, "grant_type is required"};
  if (*grant != "client_credentials") {
    return ApiError{ErrorCode::kUnsupportedGrantType,
                    "grant_type '" + *grant + "' is not supported"};
  }
  std::vector<std::string> resources = request.all("resource");
  for (const auto& r : resources) {
    if (!validResource(r)) {
      return ApiError{
          ErrorCode::kInvalidTarget,
          "resource must be an absolute URI without fragment, in RFC 3986 "
          "characters (percent-encode anything else), e.g. https://api.example.com/orders"};
    }
  }
  auto requested_scope = request.param("scope");
  if (requested_scope && splitScope(*requested_scope).empty()) {
    return ApiError{ErrorCode::kInvalidScope, "scope is empty"};
  }

  auto auth = chain_.authenticate(request);
  if (auto* err = std::get_if<ApiError>(&auth)) return *err;
  const AuthenticatedClient& client = std::get<AuthenticatedClient>(auth);

  auto meta = jose::parseJson(client.client.metadata_json, jose::kClientMetadataLimits);
  if (!meta) return ApiError{ErrorCode::kServerError, "stored client metadata is unreadable"};
  bool grant_allowed = false;
  if (const jose::Json* grants = meta->get("grant_types"); grants != nullptr && grants->isArray()) {
    for (const auto& g : grants->items())
      grant_allowed = grant_allowed || (g.isString() && g.str() == "client_credentials");
  }
  if (!grant_allowed || client.method == "none") {
    // RFC 6749 §4.4: only confidential clients may use client_credentials.
    return ApiError{ErrorCode::kUnauthorizedClient,
                    "client is not allowed to use the client_credentials grant"};
  }

  std::vector<std::string> allowed = splitScope(meta->getString("scope").value_or(""));
  std::vector<std::string> granted;
  if (requested_scope) {
    for (const auto& s : splitScope(*requested_scope)) {
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        return ApiError{ErrorCode::kInvalidScope,
                        "scope '" + s + "' is not allowed for this client"};
      }
      if (std::find(granted.begin(), granted.end(), s) == granted.end()) granted.push_back(s);
    }
  } else {
    granted = allowed;
  }
  std::string scope;
  for (const auto& s : granted) scope += (scope.empty() ? "" : " ") + s;

  int64_t now = clock_.nowSeconds();
  int64_t exp = now + settings_.access_token_lifetime_s;
  const std::string& id = client.client.client_id;
  JsonWriter claims;
  claims.field("iss", settings_.issuer).field("sub", id);
  if (resources.size() > 1) {
    claims.field("aud", resources);
  } else {
    claims.field("aud", resources.empty() ? settings_.issuer : resources.front());
  }
  claims.field("client_id", id)
      .field("iat", now)
      .field("exp", exp)
      .field("jti", crypto::randomToken(16));
  if (!scope.empty()) claims.field("scope", scope);

  std::string token;
  try {
    token = keys_.signer().sign("at+jwt", claims.finish());
  } catch (const std::exception& e) {
    Poco::Logger::get("idgate.token").error(std::string("signing failed: ") + e.what());
    return ApiError{ErrorCode::kServerError, "token could not be signed"};
  }
  JsonWriter body;
  body.field("access_token", token)
      .field("token_type", "Bearer")
      .field("expires_in", settings_.access_token_lifetime_s);
  if (!scope.empty()) body.field("scope", scope);
  return Issued{body.finish(), "client=" + id + " method=" + client.method};
}

}  // namespace idgate
