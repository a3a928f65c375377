#include "assertion_authenticator.h"

#include "../common/property_values.h"

namespace idgate::plugins {
namespace {

using idgate::sdk::ConfigError;
using idgate::sdk::Outcome;

}  // namespace

AssertionAuthenticator::AssertionAuthenticator(idgate::sdk::Host& host,
                                               const idgate::sdk::Properties& props,
                                               std::string method)
    : host_(host), method_(std::move(method)) {
  std::string used;
  if (auto v = props.getAny({"PreventTokenReuse", "preventTokenReuse"}, &used)) {
    if (*v != "true" && *v != "false")
      throw ConfigError("property " + used + " must be true or false");
    prevent_reuse_ = *v == "true";
    host_.info(method_ + ": " + used + "=" + *v + " (property spelled '" + used + "')");
  }
  if (auto v = props.getAny({"RejectBeforeInMinutes", "rejectBeforeInMinutes"}, &used)) {
    reject_before_s_ = integerProperty(used, *v, 0, 525600) * 60;
  }
  if (auto v =
          props.getAny({"MaxAssertionLifetimeInMinutes", "maxAssertionLifetimeInMinutes"}, &used)) {
    max_lifetime_s_ = integerProperty(used, *v, 1, 1440) * 60;
  }
  if (auto v = props.getAny({"TokenEndpointAlias", "TokenEndPointAlias"}, &used)) {
    aliases_ = splitAny(*v, ", \t\r\n");
    host_.info(method_ + ": audience aliases from property spelled '" + used + "'");
  }
  if (auto v = props.get("AudienceMode")) {
    if (*v != "legacy" && *v != "strict")
      throw ConfigError("property AudienceMode must be legacy or strict");
    strict_audience_ = *v == "strict";
  }
  if (auto v = host_.globalProperty("OAuth.TimestampSkew"))
    skew_s_ = integerProperty("OAuth.TimestampSkew", *v, 0, 3600);
  issuer_ = host_.globalProperty("Server.Issuer").value_or("");
  if (issuer_.empty()) throw ConfigError("the host did not provide Server.Issuer");
  token_endpoints_ = splitAny(host_.globalProperty("Server.TokenEndpoints").value_or(""), " ");

  bool enable =
      host_.globalProperty("CacheConfig.PrivateKeyJWT.enable").value_or("false") == "true";
  int64_t timeout = integerProperty(
      "CacheConfig timeout",
      host_.globalProperty("CacheConfig.PrivateKeyJWT.timeout").value_or("10"), 0, 86400 * 365);
  int64_t capacity = integerProperty(
      "CacheConfig capacity",
      host_.globalProperty("CacheConfig.PrivateKeyJWT.capacity").value_or("5000"), 0, 100000000);
  if (host_.globalProperty("CacheConfig.PrivateKeyJWT.isDistributed").value_or("false") == "true") {
    host_.warn(
        method_ +
        ": PrivateKeyJWT cache isDistributed=true is not supported; using a node-local cache "
        "(replay protection stays exact: it is the shared JTI table that decides)");
  }
  // WSO2 cache timeouts are in minutes.
  cache_ = std::make_unique<JtiCache>(enable, timeout * 60, static_cast<size_t>(capacity));
}

std::vector<std::string> AssertionAuthenticator::acceptedAudiences(
    const jose::Json& metadata) const {
  bool strict = strict_audience_;
  if (auto mode = metadata.getString("client_assertion_audience_mode")) strict = *mode == "strict";
  if (strict) return {issuer_};
  std::vector<std::string> out = {issuer_};
  out.insert(out.end(), token_endpoints_.begin(), token_endpoints_.end());
  out.insert(out.end(), aliases_.begin(), aliases_.end());
  return out;
}

Outcome AssertionAuthenticator::authenticate(const idgate::sdk::Request& request) {
  auto assertion = request.param("client_assertion");
  auto type = request.param("client_assertion_type");
  if (!assertion && !type) return Outcome::notHandled();
  if (!type || *type != kJwtBearer) {
    return Outcome::badRequest(std::string("client_assertion_type must be ") + kJwtBearer);
  }
  if (!assertion) return Outcome::badRequest("client_assertion is required");

  jose::CompactJws jws;
  jose::Status st = jose::parseCompactJws(*assertion, jose::JwsLimits{}, &jws);
  if (st == jose::Status::kTooLarge) return Outcome::badRequest("client_assertion is too large");
  if (st == jose::Status::kCritUnsupported) return Outcome::denied("crit header not supported");
  if (st != jose::Status::kOk)
    return Outcome::denied(std::string("malformed client_assertion (") + jose::toString(st) + ")");
  if (!jose::assertionTypAllowed(jws.typ))
    return Outcome::denied("typ '" + jws.typ + "' is not a client assertion");

  std::string reason;
  auto client_id = jose::assertionSubject(jws.payload, &reason);
  if (!client_id) return Outcome::denied(reason);
  if (auto form_id = request.param("client_id"); form_id && *form_id != *client_id) {
    return Outcome::badRequest("client_id does not match the assertion's sub");
  }
  auto metadata_text = host_.clientMetadata(*client_id);
  if (!metadata_text) return Outcome::denied("client unknown");
  auto metadata = jose::parseJson(*metadata_text, jose::kClientMetadataLimits);
  if (!metadata) return Outcome::serverError("stored client metadata unreadable");
  if (metadata->getString("token_endpoint_auth_method").value_or("") != method_) {
    return Outcome::notHandled();  // the client uses the other assertion method
  }

  if (!algorithmAllowed(jws.alg)) return Outcome::denied("algorithm not allowed");
  if (auto pinned = metadata->getString("token_endpoint_auth_signing_alg");
      pinned && *pinned != jws.alg) {
    return Outcome::denied("algorithm not allowed");
  }
  SignatureCheck sig = verifySignature(jws, *client_id, *metadata, *metadata_text);
  if (sig.server_error) return Outcome::serverError(sig.reason);
  if (!sig.reason.empty()) return Outcome::denied(sig.reason);

  jose::AssertionPolicy policy;
  policy.skew_s = skew_s_;
  policy.reject_before_s = reject_before_s_;
  policy.max_lifetime_s = max_lifetime_s_;
  policy.accepted_audiences = acceptedAudiences(*metadata);
  int64_t now = host_.nowSeconds();
  auto claims = jose::checkAssertionClaims(jws.payload, policy, now, &reason);
  if (!claims) return Outcome::denied(reason);

  if (prevent_reuse_) {
    if (cache_->knownUsed(*client_id, claims->jti, now)) return Outcome::denied("jti already used");
    switch (host_.checkAndInsertJti(*client_id, claims->jti, claims->exp)) {
      case IDGATE_JTI_FRESH:
        // Not remembered: during a token request "fresh" is provisional until the commit
        // (plugin_abi.h), and a client retrying after a store failure must not be refused by
        // this cache. The first replay goes to the store and is remembered below.
        break;
      case IDGATE_JTI_REPLAYED:
        cache_->remember(*client_id, claims->jti, claims->exp + skew_s_, now);
        return Outcome::denied("jti already used");
      default:
        return Outcome::serverError("jti store unavailable");
    }
  }
  return Outcome::authenticated(*client_id);
}

}  // namespace idgate::plugins
