// Token exchange (RFC 8693, grant_type urn:ietf:params:oauth:grant-type:token-exchange): a client
// that holds a token for a user (the subject_token) gets an access token for the same user,
// meant for another audience, optionally saying who acts for the user (actor_token: the `act`
// claim, nested when the subject token already had one).
//
// A subject or actor token is either an access token idgate issued (verified by the host: its
// keys, typ at+jwt, exp, not revoked) or a JWT from one of this EventListener's trusted issuers,
// configured as for the JWT bearer grant:
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="token_exchange_grant" orderId="41" enable="true">
//     <TrustedIssuer issuer="https://partner.example.com"
//     jwksUri="https://partner.example.com/jwks"
//                    audience="https://api.example.com" subjectClaim="email"/>
//   </EventListener>
//
// Which audiences a client may ask for is its registration's `token_exchange_audiences`; each
// `audience` and `resource` parameter must be one of them (else invalid_target) and they become
// the new token's aud. An idgate subject token must be meant for the exchanging client: issued
// to it, or with an `aud` that is its client id or one of its `token_exchange_subject_audiences`
// (a trusted issuer's JWT must name this server in `aud`, as for the JWT bearer grant). A token
// bound to a DPoP key (cnf.jkt) is exchanged only with a DPoP proof of that key. The scope is
// the client's, narrowed by the subject token's (`scope` or `scp`; an idgate token without one
// has none; a trusted issuer's JWT without one vouches for the user only, and the client's
// scopes apply). Only access tokens are issued, never a refresh token.
#include <idgate/jose/json.h>
#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include <algorithm>
#include <map>
#include <set>

#include "../common/property_values.h"
#include "../jwt_common/key_set_verifier.h"
#include "../jwt_common/trusted_issuers.h"

namespace {

namespace jose = idgate::jose;
using idgate::plugins::integerProperty;
using idgate::plugins::splitAny;
using idgate::plugins::TrustedIssuer;
using idgate::sdk::ConfigError;
using idgate::sdk::GrantOutcome;

constexpr const char* kGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
constexpr const char* kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
constexpr const char* kJwtType = "urn:ietf:params:oauth:token-type:jwt";

/// A verified subject or actor token: who, by whom vouched, with what scope and act.
struct Party {
  std::string subject;
  std::string issuer;
  std::optional<std::string> scope;  ///< the token's scope claim, if any
  std::string act_json;              ///< the token's own act claim (JSON), or ""
  std::string client_id;             ///< an idgate token's client_id
  std::vector<std::string> audiences;
  bool bound = false;  ///< has a cnf claim
  std::string jkt;     ///< cnf.jkt, when a string
};

/// A claim that is a string or an array of strings (aud, scp), as its strings.
std::vector<std::string> stringsOf(const jose::Json* claim) {
  std::vector<std::string> out;
  if (claim == nullptr) return out;
  if (claim->isString()) out.push_back(claim->str());
  if (claim->isArray()) {
    for (const auto& v : claim->items()) {
      if (v.isString()) out.push_back(v.str());
    }
  }
  return out;
}

/// What went wrong with a token: the outcome to return.
struct Refusal {
  GrantOutcome outcome;
};

class TokenExchangeGrant : public idgate::sdk::GrantHandler {
 public:
  static constexpr uint64_t kCapabilities =
      IDGATE_CAP_TOKEN_VERIFY | IDGATE_CAP_KEYSTORE_READ | IDGATE_CAP_URL_FETCH;

  TokenExchangeGrant(idgate::sdk::Host& host, const idgate::sdk::Properties& props)
      : host_(host), verifier_(host, "issuer") {
    for (const auto& [name, value] : props.all()) {
      if (name.rfind("TrustedIssuer.", 0) == 0) continue;
      throw ConfigError("unknown property '" + name + "' (known: <TrustedIssuer> elements)");
    }
    own_issuer_ = host_.globalProperty("Server.Issuer").value_or("");
    if (own_issuer_.empty()) throw ConfigError("the host did not provide Server.Issuer");
    own_audiences_ = {own_issuer_};
    for (const auto& e : splitAny(host_.globalProperty("Server.TokenEndpoints").value_or(""), " "))
      own_audiences_.push_back(e);
    if (auto v = host_.globalProperty("OAuth.TimestampSkew"))
      skew_s_ = integerProperty("OAuth.TimestampSkew", *v, 0, 3600);
    issuers_ = idgate::plugins::trustedIssuers(props, false);
    host_.info("token exchange: idgate's access tokens and " + std::to_string(issuers_.size()) +
               " trusted issuer(s)");
  }

  GrantOutcome handle(const idgate::sdk::GrantRequest& request) override {
    const auto& p = request.params;
    auto subject_token = p.param("subject_token");
    auto subject_type = p.param("subject_token_type");
    if (!subject_token || subject_token->empty() || !subject_type) {
      return GrantOutcome::invalidRequest(
          "subject_token and subject_token_type are required (types: " + supportedTypes() + ")");
    }
    if (auto requested = p.param("requested_token_type");
        requested && *requested != kAccessTokenType) {
      return GrantOutcome::invalidRequest("requested_token_type '" + *requested +
                                          "' is not issued (only " + kAccessTokenType + ")");
    }
    auto actor_token = p.param("actor_token");
    auto actor_type = p.param("actor_token_type");
    if (actor_token.has_value() != actor_type.has_value()) {
      return GrantOutcome::invalidRequest(
          "actor_token and actor_token_type go together (RFC 8693 §2.1)");
    }

    // The client's policy: the audiences it may ask for.
    auto meta = jose::parseJson(request.client_metadata_json);
    auto strings = [&](const char* name) {
      std::set<std::string> out;
      if (!meta || !meta->isObject()) return out;
      if (const jose::Json* list = meta->get(name); list != nullptr && list->isArray()) {
        for (const auto& a : list->items()) {
          if (a.isString()) out.insert(a.str());
        }
      }
      return out;
    };
    const std::set<std::string> allowed = strings("token_exchange_audiences");
    std::set<std::string> mine = strings("token_exchange_subject_audiences");
    // idgate's own names are every token's default aud: they never make a token one client's.
    for (const auto& own : own_audiences_) mine.erase(own);
    mine.insert(request.client_id);
    if (allowed.empty()) {
      return GrantOutcome::unauthorizedClient(
          "client '" + request.client_id +
          "' may not exchange tokens: register it with token_exchange_audiences (the audiences "
          "it may ask for)");
    }
    std::vector<std::string> targets = p.every("audience");
    for (auto& r : p.every("resource")) targets.push_back(std::move(r));
    if (targets.empty()) {
      return GrantOutcome::invalidRequest(
          "audience or resource is required (allowed for this "
          "client: " +
          joined(allowed) + ")");
    }
    for (const auto& t : targets) {
      if (allowed.count(t) == 0) {
        return GrantOutcome::invalidTarget(
            "audience '" + t + "' is not allowed for this client (allowed: " + joined(allowed) +
            ")");
      }
    }

    Party subject;
    if (auto refused = verify(*subject_token, *subject_type, "subject_token", &subject)) {
      return refused->outcome;
    }
    // An idgate token is exchanged by the client it was issued to or the one it was meant for:
    // another client that got hold of it cannot turn it into tokens of its own.
    if (subject.issuer == own_issuer_ && subject.client_id != request.client_id &&
        std::none_of(subject.audiences.begin(), subject.audiences.end(),
                     [&](const std::string& a) { return mine.count(a) != 0; })) {
      return GrantOutcome::invalidGrant(
          "subject_token is not meant for client '" + request.client_id +
          "': its aud must be the client id or one of the client's "
          "token_exchange_subject_audiences (or it was issued to the client)");
    }
    std::optional<Party> actor;
    if (actor_token) {
      actor.emplace();
      if (auto refused = verify(*actor_token, *actor_type, "actor_token", &*actor)) {
        return refused->outcome;
      }
    }
    // RFC 9449: a sender-constrained token is used only by the holder of its key.
    for (const Party* p : {&subject, actor ? &*actor : nullptr}) {
      if (p == nullptr || !p->bound) continue;
      const char* what = p == &subject ? "subject_token" : "actor_token";
      if (p->jkt.empty()) {
        return GrantOutcome::invalidGrant(std::string(what) +
                                          " is bound (cnf) in a way this server cannot check");
      }
      if (p->jkt != request.dpop_jkt) {
        return GrantOutcome::invalidGrant(std::string(what) +
                                          " is bound to a DPoP key: send the request with a "
                                          "DPoP proof of that key");
      }
    }

    GrantOutcome out = GrantOutcome::granted(subject.subject);
    if (subject.scope) {
      // The new token never carries more than the subject token did (" ": none at all).
      out.scope = subject.scope->empty() ? std::string(" ") : *subject.scope;
    }
    out.audiences = targets;
    out.issued_token_type = kAccessTokenType;
    if (actor) {
      std::string act = "{\"sub\":" + idgate::sdk::jsonString(actor->subject);
      if (actor->issuer != own_issuer_) act += ",\"iss\":" + idgate::sdk::jsonString(actor->issuer);
      if (!subject.act_json.empty()) act += ",\"act\":" + subject.act_json;
      out.claim("act", act + "}");
    } else if (!subject.act_json.empty()) {
      out.claim("act", subject.act_json);  // the delegation the subject token recorded stays
    }
    if (subject.issuer != own_issuer_) out.stringClaim("subject_token_iss", subject.issuer);
    return out;
  }

 private:
  static std::string supportedTypes() { return std::string(kAccessTokenType) + ", " + kJwtType; }
  static std::string joined(const std::set<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : " ") + v;
    return out;
  }

  /// nullopt and `party` filled when `token` is good; else the refusal.
  std::optional<Refusal> verify(const std::string& token, const std::string& type,
                                const std::string& what, Party* party) {
    if (type != kAccessTokenType && type != kJwtType) {
      return Refusal{GrantOutcome::invalidRequest(
          what + "_type '" + type + "' is not supported (supported: " + supportedTypes() + ")")};
    }
    jose::CompactJws jws;
    jose::Status st = jose::parseCompactJws(token, jose::JwsLimits{}, &jws);
    if (st != jose::Status::kOk) {
      return Refusal{GrantOutcome::invalidGrant(what + " is not a signed JWT")};
    }
    auto iss = jws.payload.getString("iss");
    if (!iss) return Refusal{GrantOutcome::invalidGrant(what + " has no iss")};
    if (*iss == own_issuer_) {
      std::optional<std::string> claims_text;
      try {
        claims_text = host_.verifyAccessToken(token);
      } catch (const idgate::sdk::HostError&) {
        return Refusal{GrantOutcome::serverError("the token could not be checked")};
      }
      if (!claims_text) {
        return Refusal{GrantOutcome::invalidGrant(
            what +
            " is not an active access token of this server (expired, revoked or not an "
            "access token)")};
      }
      auto claims = jose::parseJson(*claims_text);
      if (!claims || !claims->isObject()) {
        return Refusal{GrantOutcome::serverError("the token could not be read")};
      }
      if (auto refused = fill(*claims, "sub", *iss, what, party)) return refused;
      if (!party->scope) party->scope = "";  // an idgate token without scope has none
      party->client_id = claims->getString("client_id").value_or("");
      return std::nullopt;
    }
    auto it = issuers_.find(*iss);
    if (it == issuers_.end()) {
      return Refusal{GrantOutcome::invalidGrant(
          what + " issuer '" + *iss +
          "' is neither this server nor a trusted issuer of the token exchange grant")};
    }
    const TrustedIssuer& t = it->second;
    if (!jose::isAsymmetricAlgorithm(jws.alg)) {
      return Refusal{GrantOutcome::invalidGrant(what + ": algorithm not allowed")};
    }
    auto sig = idgate::plugins::verifyIssuerSignature(host_, verifier_, t, jws);
    if (sig.server_error) return Refusal{GrantOutcome::serverError(sig.reason)};
    if (!sig.reason.empty()) return Refusal{GrantOutcome::invalidGrant(what + ": " + sig.reason)};
    const int64_t now = host_.nowSeconds();
    const jose::Json* exp = jws.payload.get("exp");
    if (exp == nullptr || !exp->isNumber()) {
      return Refusal{GrantOutcome::invalidGrant(what + " has no exp")};
    }
    if (static_cast<int64_t>(exp->number()) + skew_s_ <= now) {
      return Refusal{GrantOutcome::invalidGrant(what + " expired")};
    }
    if (const jose::Json* nbf = jws.payload.get("nbf");
        nbf != nullptr &&
        (!nbf->isNumber() || static_cast<int64_t>(nbf->number()) > now + skew_s_)) {
      return Refusal{GrantOutcome::invalidGrant(what + " is not valid yet (nbf)")};
    }
    std::vector<std::string> accepted = own_audiences_;
    accepted.insert(accepted.end(), t.audiences.begin(), t.audiences.end());
    const std::vector<std::string> aud = stringsOf(jws.payload.get("aud"));
    bool meant_for_us = std::any_of(aud.begin(), aud.end(), [&](const std::string& v) {
      return std::find(accepted.begin(), accepted.end(), v) != accepted.end();
    });
    if (!meant_for_us) {
      return Refusal{GrantOutcome::invalidGrant(what + " aud is not this server (accepted: " +
                                                joined({accepted.begin(), accepted.end()}) + ")")};
    }
    return fill(jws.payload, t.subject_claim, *iss, what, party);
  }

  static std::optional<Refusal> fill(const jose::Json& claims, const std::string& subject_claim,
                                     const std::string& issuer, const std::string& what,
                                     Party* party) {
    auto sub = claims.getString(subject_claim);
    if (!sub || sub->empty()) {
      return Refusal{GrantOutcome::invalidGrant(what + " has no " + subject_claim)};
    }
    party->subject = *sub;
    party->issuer = issuer;
    if (auto scope = claims.getString("scope")) {
      party->scope = *scope;
    } else if (const jose::Json* scp = claims.get("scp"); scp != nullptr) {
      // A string or an array of strings (Azure AD, Okta).
      std::string joined_scp;
      for (const auto& s : stringsOf(scp)) joined_scp += (joined_scp.empty() ? "" : " ") + s;
      party->scope = joined_scp;
    }
    party->audiences = stringsOf(claims.get("aud"));
    if (const jose::Json* cnf = claims.get("cnf"); cnf != nullptr) {
      party->bound = true;
      if (cnf->isObject()) party->jkt = cnf->getString("jkt").value_or("");
    }
    if (const jose::Json* act = claims.get("act"); act != nullptr && act->isObject()) {
      party->act_json = jose::toJsonText(*act);
    }
    return std::nullopt;
  }

  idgate::sdk::Host& host_;
  idgate::plugins::KeySetVerifier verifier_;
  std::map<std::string, TrustedIssuer> issuers_;
  std::string own_issuer_;
  std::vector<std::string> own_audiences_;
  int64_t skew_s_ = 60;
};

}  // namespace

IDGATE_GRANT_HANDLER(TokenExchangeGrant, "token_exchange_grant", kGrantType,
                     IDGATE_NAMES("org.wso2.carbon.identity.oauth2.grant.token.exchange."
                                  "TokenExchangeGrantHandler"))
