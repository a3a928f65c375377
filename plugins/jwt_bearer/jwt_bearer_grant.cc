// The JWT bearer grant (RFC 7523 §2.1, grant_type urn:ietf:params:oauth:grant-type:jwt-bearer):
// a client exchanges a JWT signed by a trusted issuer for an access token whose sub is the
// assertion's subject. The client authenticates as for any grant (the authenticator chain); this
// plugin checks the assertion with the rules of client assertions (RFC 7523 §3: exp, nbf, iat
// age, lifetime, aud naming this server, jti once through the durable JTI table) and the keys of
// the issuer configured in identity.xml. A refresh token comes too when offline_access is
// granted to a client registered for the refresh_token grant:
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="jwt_bearer_grant" orderId="40" enable="true">
//     <TrustedIssuer issuer="https://partner.example.com"
//     jwksUri="https://partner.example.com/jwks"
//                    audience="https://api.example.com" subjectClaim="email"/>
//     <TrustedIssuer issuer="legacy-idp" keystoreAlias="legacy-idp"/>
//     <TrustedIssuer issuer="https://idp.internal">{"keys":[...]}</TrustedIssuer>
//   </EventListener>
#include <idgate/jose/client_assertion.h>
#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include <map>
#include <sstream>

#include "../common/property_values.h"
#include "../jwt_common/jti_cache.h"
#include "../jwt_common/key_set_verifier.h"
#include "../jwt_common/trusted_issuers.h"

namespace {

namespace jose = idgate::jose;
using idgate::plugins::integerProperty;
using idgate::plugins::splitAny;
using idgate::sdk::ConfigError;
using idgate::sdk::GrantOutcome;

constexpr const char* kGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

class JwtBearerGrant : public idgate::sdk::GrantHandler {
 public:
  static constexpr uint64_t kCapabilities =
      IDGATE_CAP_KEYSTORE_READ | IDGATE_CAP_JTI_WRITE | IDGATE_CAP_URL_FETCH;

  JwtBearerGrant(idgate::sdk::Host& host, const idgate::sdk::Properties& props)
      : host_(host), verifier_(host, "issuer") {
    for (const auto& [name, value] : props.all()) {
      if (name.rfind("TrustedIssuer.", 0) == 0) continue;
      if (name != "PreventTokenReuse" && name != "RejectBeforeInMinutes" &&
          name != "MaxAssertionLifetimeInMinutes") {
        throw ConfigError("unknown property '" + name +
                          "' (known: PreventTokenReuse, RejectBeforeInMinutes, "
                          "MaxAssertionLifetimeInMinutes, and <TrustedIssuer> elements)");
      }
    }
    prevent_reuse_ = props.getBool("PreventTokenReuse", true);
    if (auto v = props.get("RejectBeforeInMinutes"))
      reject_before_s_ = integerProperty("RejectBeforeInMinutes", *v, 0, 525600) * 60;
    if (auto v = props.get("MaxAssertionLifetimeInMinutes"))
      max_lifetime_s_ = integerProperty("MaxAssertionLifetimeInMinutes", *v, 1, 1440) * 60;
    if (auto v = host_.globalProperty("OAuth.TimestampSkew"))
      skew_s_ = integerProperty("OAuth.TimestampSkew", *v, 0, 3600);
    own_audiences_ = {host_.globalProperty("Server.Issuer").value_or("")};
    if (own_audiences_.front().empty()) throw ConfigError("the host did not provide Server.Issuer");
    for (const auto& e : splitAny(host_.globalProperty("Server.TokenEndpoints").value_or(""), " "))
      own_audiences_.push_back(e);

    issuers_ = idgate::plugins::trustedIssuers(props, true);
    host_.info("JWT bearer grant: " + std::to_string(issuers_.size()) + " trusted issuer(s)");
  }

  GrantOutcome handle(const idgate::sdk::GrantRequest& request) override {
    auto assertion = request.params.param("assertion");
    if (!assertion || assertion->empty())
      return GrantOutcome::invalidRequest(
          "assertion is required (a JWT signed by a trusted issuer)");
    jose::CompactJws jws;
    jose::Status st = jose::parseCompactJws(*assertion, jose::JwsLimits{}, &jws);
    if (st == jose::Status::kTooLarge)
      return GrantOutcome::invalidRequest("assertion is too large");
    if (st == jose::Status::kCritUnsupported)
      return GrantOutcome::invalidGrant("crit header not supported");
    if (st != jose::Status::kOk)
      return GrantOutcome::invalidGrant(std::string("malformed assertion (") + jose::toString(st) +
                                        ")");
    // A plain JWT: not an access token (at+jwt) nor a client assertion replayed as a grant.
    if (!jws.typ.empty() && jws.typ != "JWT")
      return GrantOutcome::invalidGrant("typ '" + jws.typ + "' is not accepted (use JWT or none)");
    auto iss = jws.payload.getString("iss");
    if (!iss) return GrantOutcome::invalidGrant("the assertion has no iss");
    auto it = issuers_.find(*iss);
    if (it == issuers_.end()) {
      return GrantOutcome::invalidGrant("issuer '" + *iss +
                                        "' is not a trusted issuer of this grant");
    }
    const idgate::plugins::TrustedIssuer& t = it->second;
    if (!jose::isAsymmetricAlgorithm(jws.alg))
      return GrantOutcome::invalidGrant("algorithm not allowed");

    idgate::plugins::SignatureCheck sig =
        idgate::plugins::verifyIssuerSignature(host_, verifier_, t, jws);
    if (sig.server_error) return GrantOutcome::serverError(sig.reason);
    if (!sig.reason.empty()) return GrantOutcome::invalidGrant(sig.reason);

    jose::AssertionPolicy policy;
    policy.skew_s = skew_s_;
    policy.reject_before_s = reject_before_s_;
    policy.max_lifetime_s = max_lifetime_s_;
    policy.subject_is_issuer = false;
    policy.accepted_audiences = own_audiences_;
    policy.accepted_audiences.insert(policy.accepted_audiences.end(), t.audiences.begin(),
                                     t.audiences.end());
    const int64_t now = host_.nowSeconds();
    std::string reason;
    auto claims = jose::checkAssertionClaims(jws.payload, policy, now, &reason);
    if (!claims) return GrantOutcome::invalidGrant(reason);
    auto subject = jws.payload.getString(t.subject_claim);
    if (!subject || subject->empty()) {
      return GrantOutcome::invalidGrant("the assertion has no " + t.subject_claim +
                                        " (the subject claim of this issuer)");
    }
    if (prevent_reuse_) {
      // Assertion ids are unique per issuer (RFC 7519 §4.1.7): "grant:<issuer>" keeps them apart
      // from client assertions, whose scope is a client id (which has no ':').
      const std::string scope = "grant:" + t.issuer;
      if (cache_.knownUsed(scope, claims->jti, now))
        return GrantOutcome::invalidGrant("assertion jti already used");
      switch (host_.checkAndInsertJti(scope, claims->jti, claims->exp)) {
        case IDGATE_JTI_FRESH:
          break;  // provisional until the commit: the response waits for it
        case IDGATE_JTI_REPLAYED:
          cache_.remember(scope, claims->jti, claims->exp + skew_s_, now);
          return GrantOutcome::invalidGrant("assertion jti already used");
        default:
          return GrantOutcome::serverError("jti store unavailable");
      }
    }
    GrantOutcome out = GrantOutcome::granted(*subject);
    // With offline_access (and a client registered for refresh_token) a refresh token too.
    out.issue_refresh_token = true;
    // Who vouched for the subject, for the resource servers that care.
    out.stringClaim("assertion_iss", t.issuer);
    return out;
  }

 private:
  idgate::sdk::Host& host_;
  idgate::plugins::KeySetVerifier verifier_;
  std::map<std::string, idgate::plugins::TrustedIssuer> issuers_;
  std::vector<std::string> own_audiences_;
  bool prevent_reuse_ = true;
  int64_t skew_s_ = 60;
  int64_t reject_before_s_ = 300 * 60;
  int64_t max_lifetime_s_ = 3600;
  idgate::plugins::JtiCache cache_{true, 600, 5000};
};

}  // namespace

IDGATE_GRANT_HANDLER(
    JwtBearerGrant, "jwt_bearer_grant", kGrantType,
    IDGATE_NAMES("org.wso2.carbon.identity.oauth2.grant.jwt.JWTBearerGrantHandler"))
