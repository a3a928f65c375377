#include "oauth/token_endpoint.h"

#include <Poco/Logger.h>
#include <Poco/URI.h>
#include <idgate/jose/json.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/json_writer.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "oauth/client_credentials_grant.h"

namespace idgate {
namespace {

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

TokenEndpoint::TokenEndpoint(const ClientAuthenticator& clients,
                             std::vector<std::shared_ptr<const GrantHandler>> grants,
                             std::shared_ptr<const AccessTokenIssuer> issuer,
                             const TokenSettings& settings, const Clock& clock,
                             std::shared_ptr<const IdTokenIssuer> id_tokens)
    : clients_(clients),
      grants_(std::move(grants)),
      issuer_(std::move(issuer)),
      id_tokens_(std::move(id_tokens)),
      settings_(settings),
      clock_(clock) {}

TokenEndpoint::TokenEndpoint(const ClientAuthenticator& clients, const SigningKeys& keys,
                             const TokenSettings& settings, const Clock& clock,
                             GrantSource plugin_grants, CustomizerSource customizers,
                             std::vector<std::shared_ptr<const GrantHandler>> more_grants)
    : TokenEndpoint(clients, {std::make_shared<ClientCredentialsGrant>()},
                    std::make_shared<JwtAccessTokenIssuer>(keys, settings.issuer, customizers),
                    settings, clock,
                    std::make_shared<IdTokenIssuer>(keys, settings.issuer, customizers)) {
  grants_.insert(grants_.end(), more_grants.begin(), more_grants.end());
  plugin_grants_ = std::move(plugin_grants);
}

std::vector<std::shared_ptr<const GrantHandler>> TokenEndpoint::grants() const {
  std::vector<std::shared_ptr<const GrantHandler>> out = grants_;
  if (!plugin_grants_) return out;
  for (auto& g : plugin_grants_()) {
    bool builtin = std::any_of(grants_.begin(), grants_.end(),
                               [&](const auto& b) { return b->grantType() == g->grantType(); });
    if (!builtin) out.push_back(std::move(g));
  }
  return out;
}

std::vector<std::string> TokenEndpoint::grantTypes() const {
  std::vector<std::string> out;
  for (const auto& g : grants()) out.push_back(g->grantType());
  return out;
}

std::variant<TokenEndpoint::Issued, ApiError> TokenEndpoint::handle(
    const TokenRequest& request) const {
  // Request checks that need no client come first, so a malformed request burns no assertion.
  // Checks against the client's registration (grant types, scope) need the authenticated
  // client and so come after authentication: an assertion refused there is spent, as a
  // one-time assertion should be once it was presented.
  auto grant_type = request.param("grant_type");
  if (!grant_type) return ApiError{ErrorCode::kInvalidRequest, "grant_type is required"};
  const std::vector<std::shared_ptr<const GrantHandler>> all = grants();
  const GrantHandler* handler = nullptr;
  for (const auto& g : all) {
    if (g->grantType() == *grant_type) handler = g.get();
  }
  if (handler == nullptr) {
    std::string supported;
    for (const auto& g : all) supported += (supported.empty() ? "" : ", ") + g->grantType();
    return ApiError{
        ErrorCode::kUnsupportedGrantType,
        "grant_type '" + *grant_type + "' is not supported (supported: " + supported + ")"};
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
  if (auto refused = handler->precheck(request)) return *refused;

  // A DPoP proof (RFC 9449 §5) is checked before the client authenticates, like the rest of
  // the request; its jti is then spent, as a proof is good for one request anyway.
  const int64_t now = clock_.nowSeconds();
  TokenRequest bound = request;
  if (dpop_ != nullptr && request.dpop_proof) {
    auto proof = dpop_->check(*request.dpop_proof, {"POST", request.endpoint_url, "", ""}, now);
    if (auto* refused = std::get_if<ApiError>(&proof)) return *refused;
    bound.dpop_jkt = std::get<std::string>(proof);
  }

  auto auth = clients_.authenticate(bound);
  if (auto* err = std::get_if<ApiError>(&auth)) return *err;
  const AuthenticatedClient& client = std::get<AuthenticatedClient>(auth);
  if (bound.dpop_jkt.empty() && client.client.metadata().dpop_bound) {
    return ApiError{ErrorCode::kInvalidDpopProof,
                    "client '" + client.client.client_id +
                        "' is registered with dpop_bound_access_tokens: send a DPoP proof "
                        "(RFC 9449) with every token request"};
  }

  auto granted = handler->grant(bound, client);
  if (auto* err = std::get_if<ApiError>(&granted)) return *err;
  const Grant& grant = std::get<Grant>(granted);

  AccessTokenRequest token_request{*grant_type,
                                   grant,
                                   client,
                                   grant.audiences.empty() ? resources : grant.audiences,
                                   now,
                                   now + settings_.access_token_lifetime_s,
                                   grant.jti.empty() ? crypto::randomToken(16) : grant.jti,
                                   bound.dpop_jkt};
  auto token = issuer_->issue(token_request);
  if (auto* err = std::get_if<ApiError>(&token)) return *err;
  const std::string& access_token = std::get<std::string>(token);
  std::string id_token;
  if (grant.sign_in && id_tokens_) {
    IdTokenRequest id_request{
        *grant_type,    client,       grant.subject, grant.scopes,
        *grant.sign_in, access_token, now,           now + settings_.id_token_lifetime_s};
    auto issued = id_tokens_->issue(id_request);
    if (auto* err = std::get_if<ApiError>(&issued)) return *err;
    id_token = std::get<std::string>(issued);
  }
  std::string refresh_token;
  if (grant.refresh && refresh_store_ != nullptr) {
    // Written before the answer leaves: a token the client holds is always one the store knows.
    const RefreshIssue& r = *grant.refresh;
    refresh_token = crypto::randomToken(32);
    RefreshToken t;
    t.token_hash = crypto::sha256Hex(refresh_token);
    t.family_id = r.family_id.empty() ? crypto::randomToken(16) : r.family_id;
    t.family_expires_at =
        r.family_id.empty() ? now + refresh_config_->absolute_s : r.family_expires_at;
    t.client_id = client.client.client_id;
    t.subject = grant.subject;
    t.scope = r.scope;
    t.session_id = r.session_id;
    t.sign_in_json = r.sign_in_json;
    t.issued_at = now;
    t.expires_at = std::min(now + refresh_config_->sliding_s, t.family_expires_at);
    t.access_jti = token_request.jti;
    t.access_expires_at = token_request.expires_at;
    // RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key (a confidential
    // client's are bound to its authentication already); a rotation keeps the family's key.
    t.jkt = r.family_id.empty() ? (client.method == "none" ? bound.dpop_jkt : "") : r.jkt;
    refresh_store_->insert(t);
  }
  std::string scope;
  for (const auto& s : grant.scopes) scope += (scope.empty() ? "" : " ") + s;
  JsonWriter body;
  body.field("access_token", access_token)
      .field("token_type", bound.dpop_jkt.empty() ? "Bearer" : "DPoP")
      .field("expires_in", settings_.access_token_lifetime_s);
  if (!scope.empty()) body.field("scope", scope);
  if (!refresh_token.empty()) body.field("refresh_token", refresh_token);
  if (!id_token.empty()) body.field("id_token", id_token);
  if (!grant.issued_token_type.empty()) body.field("issued_token_type", grant.issued_token_type);
  return Issued{body.finish(), "client=" + client.client.client_id + " method=" + client.method,
                *grant_type, client.method};
}

}  // namespace idgate
