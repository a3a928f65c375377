#include "oauth/token_lifecycle.h"

#include <Poco/Logger.h>

#include "common/json_writer.h"
#include "crypto/digest.h"
#include "oauth/refresh_token_grant.h"
#include "store/revocation_list.h"

namespace idgate {
namespace {

bool refreshFirst(const TokenRequest& r) {
  return r.param("token_type_hint").value_or("") != "access_token";
}

}  // namespace

std::variant<AuthenticatedClient, ApiError> TokenLifecycle::caller(
    const TokenRequest& request) const {
  auto token = request.param("token");
  if (!token) return ApiError{ErrorCode::kInvalidRequest, "token is required"};
  return clients_.authenticate(request);
}

std::optional<ApiError> TokenLifecycle::revoke(const TokenRequest& request) const {
  auto who = caller(request);
  if (auto* err = std::get_if<ApiError>(&who)) return *err;
  const std::string& client_id = std::get<AuthenticatedClient>(who).client.client_id;
  const std::string token = request.param("token").value_or("");
  const int64_t now = clock_.nowSeconds();
  auto asRefresh = [&]() -> std::optional<std::optional<ApiError>> {
    auto t = token.size() <= 256 ? refresh_.find(crypto::sha256Hex(token)) : std::nullopt;
    if (!t) return std::nullopt;
    if (t->client_id != client_id) {
      return std::optional<ApiError>(
          ApiError{ErrorCode::kUnauthorizedClient, "the token was issued to another client"});
    }
    int64_t n = revokeGrantFamily(refresh_, revoked_, t->family_id, now);
    Poco::Logger::get("idgate.token")
        .information("client " + client_id + " revoked a refresh token (" + std::to_string(n) +
                     " live tokens of its grant)");
    return std::optional<ApiError>();
  };
  auto asAccess = [&]() -> std::optional<std::optional<ApiError>> {
    std::string why;
    auto claims = verifier_.verify(token, {"at+jwt", true, skew_s_}, now, &why);
    if (!claims) return std::nullopt;
    if (claims->getString("client_id").value_or("") != client_id) {
      return std::optional<ApiError>(
          ApiError{ErrorCode::kUnauthorizedClient, "the token was issued to another client"});
    }
    const jose::Json* exp = claims->get("exp");
    auto jti = claims->getString("jti");
    // Listed while a validator's clock skew could still accept it.
    if (jti && exp != nullptr &&
        static_cast<int64_t>(exp->number()) + RevocationList::kExpiredKeptSeconds > now) {
      revoked_.revoke(*jti, static_cast<int64_t>(exp->number()));
    }
    return std::optional<ApiError>();
  };
  std::optional<std::optional<ApiError>> done = refreshFirst(request) ? asRefresh() : asAccess();
  if (!done) done = refreshFirst(request) ? asAccess() : asRefresh();
  return done ? *done : std::nullopt;  // unknown: 200 (RFC 7009 §2.2)
}

std::variant<std::string, ApiError> TokenLifecycle::introspect(const TokenRequest& request,
                                                               bool as_jwt) const {
  auto who = caller(request);
  if (auto* err = std::get_if<ApiError>(&who)) return *err;
  const Client& client = std::get<AuthenticatedClient>(who).client;
  if (!client.metadata().introspection_allowed) {
    return ApiError{ErrorCode::kUnauthorizedClient,
                    "client '" + client.client_id +
                        "' may not introspect tokens (register it with introspection_allowed)"};
  }
  const std::string token = request.param("token").value_or("");
  const int64_t now = clock_.nowSeconds();
  auto asRefresh = [&]() -> std::optional<std::string> {
    auto t = token.size() <= 256 ? refresh_.find(crypto::sha256Hex(token)) : std::nullopt;
    if (!t) return std::nullopt;
    if (t->revoked || t->used_at != 0 || t->expires_at <= now || t->family_expires_at <= now) {
      return JsonWriter().field("active", false).finish();
    }
    return JsonWriter()
        .field("active", true)
        .field("token_type", "refresh_token")
        .field("scope", t->scope)
        .field("client_id", t->client_id)
        .field("sub", t->subject)
        .field("iat", t->issued_at)
        .field("exp", t->expires_at)
        .finish();
  };
  auto asAccess = [&]() -> std::optional<std::string> {
    std::string why;
    auto claims = verifier_.verify(token, {"at+jwt", false, 0}, now, &why);
    if (!claims) return std::nullopt;
    if (revoked_.isRevoked(claims->getString("jti").value_or(""))) {
      return JsonWriter().field("active", false).finish();
    }
    JsonWriter w;
    const jose::Json* cnf = claims->get("cnf");
    const bool bound = cnf != nullptr && cnf->isObject() && cnf->getString("jkt");
    w.field("active", true).field("token_type", bound ? "DPoP" : "Bearer");
    for (const auto& [name, value] : claims->members()) w.raw(name, jose::toJsonText(value));
    return w.finish();
  };
  std::optional<std::string> body = refreshFirst(request) ? asRefresh() : asAccess();
  if (!body) body = refreshFirst(request) ? asAccess() : asRefresh();
  const std::string json = body ? *body : JsonWriter().field("active", false).finish();
  if (!as_jwt) return json;
  try {
    return keys_.signer()->sign("token-introspection+jwt", JsonWriter()
                                                               .field("iss", issuer_)
                                                               .field("aud", client.client_id)
                                                               .field("iat", now)
                                                               .raw("token_introspection", json)
                                                               .finish());
  } catch (const std::exception& e) {
    Poco::Logger::get("idgate.token")
        .error(std::string("introspection signing failed: ") + e.what());
    return ApiError{ErrorCode::kServerError, "the introspection response could not be signed"};
  }
}

}  // namespace idgate
