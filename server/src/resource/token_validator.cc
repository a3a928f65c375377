#include "resource/token_validator.h"

#include <idgate/jose/base64url.h>
#include <idgate/jose/jwe.h>
#include <idgate/jose/jws.h>
#include <idgate/jose/numeric_date.h>

#include <algorithm>
#include <cctype>

#include "common/split.h"
#include "crypto/digest.h"
#include "resource/request_origin.h"
#include "store/store_error.h"

namespace idgate {
namespace {

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

Validation invalid(std::string why) {
  Validation v;
  v.kind = Validation::Kind::kInvalid;
  v.description = std::move(why);
  return v;
}

std::vector<std::string> stringOrArray(const jose::Json* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (v->isString()) {
    out.push_back(v->str());
  } else if (v->isArray()) {
    for (const auto& i : v->items()) {
      if (i.isString()) out.push_back(i.str());
    }
  }
  return out;
}

/// Liberty's order: the keys with the token's kid, else the one with its x5t, else the single
/// signing key (a key without kid, or a set of one, is a candidate for any kid).
std::vector<jose::PublicKey> matchingKeys(const std::vector<jose::PublicKey>& set,
                                          const std::string& kid, const std::string& x5t) {
  std::vector<jose::PublicKey> out;
  for (const auto& k : set) {
    if (!k.use.empty() && k.use != "sig") continue;
    if (!kid.empty()) {
      if (!k.kid.empty() && k.kid != kid) continue;
      if (k.kid.empty() && set.size() > 1) continue;
    } else if (!x5t.empty()) {
      if (k.x5t != x5t && set.size() > 1) continue;
    }
    out.push_back(k);
  }
  return out;
}

/// The jti table key for a resource-server token: the issuer, hashed so any length fits.
std::string jtiNamespace(const std::string& iss) {
  return "rs:" + base64UrlEncode(crypto::sha256(iss));
}

}  // namespace

bool TokenValidator::unwrap(const OidcClientConfig& c, const std::string& token, std::string* jws,
                            std::string* error) const {
  size_t dots = static_cast<size_t>(std::count(token.begin(), token.end(), '.'));
  if (dots == 2) {
    *jws = token;
    return true;
  }
  if (dots != 4) {
    *error = "token is not a JWS (expected 3 parts)";
    return false;
  }
  if (c.key_management_key_alias.empty()) {
    *error = "encrypted tokens (JWE) are not accepted";
    return false;
  }
  std::string why;
  jose::KeyPtr key = keys_.decryptionKey(c, &why);
  if (!key) {
    *error = "no decryption key: " + why;
    return false;
  }
  jose::JweResult jwe = jose::decryptCompactJwe(token, key.get());
  if (!jwe.ok) {
    *error = jwe.error;
    return false;
  }
  std::string cty = jwe.cty;
  std::transform(cty.begin(), cty.end(), cty.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  if (cty != "JWT") {
    *error = "encrypted token's cty is not JWT";
    return false;
  }
  if (std::count(jwe.plaintext.begin(), jwe.plaintext.end(), '.') != 2) {
    *error = "encrypted token does not hold a signed JWT";
    return false;
  }
  *jws = std::move(jwe.plaintext);
  return true;
}

std::string TokenValidator::peekIssuer(const OidcClientConfig& c, const std::string& token) const {
  std::string jws, error;
  if (!unwrap(c, token, &jws, &error)) return {};
  size_t a = jws.find('.');
  size_t b = jws.find('.', a + 1);
  auto payload = base64UrlDecode(std::string_view(jws).substr(a + 1, b - a - 1));
  if (!payload) return {};
  auto json = jose::parseJson(*payload);
  return json ? json->getString("iss").value_or("") : "";
}

Validation TokenValidator::validate(const OidcClientConfig& c, const std::string& token,
                                    const std::vector<std::string>& own_origins,
                                    int64_t now) const {
  std::string jws_text, error;
  if (!unwrap(c, token, &jws_text, &error)) return invalid(error);
  jose::CompactJws jws;
  jose::Status st = jose::parseCompactJws(jws_text, jose::JwsLimits{}, &jws);
  if (st != jose::Status::kOk)
    return invalid(std::string("malformed token: ") + jose::toString(st));
  const jose::Json& claims = jws.payload;

  // Key.
  const std::string x5t = jws.header.getString("x5t").value_or("");
  bool hmac = jose::isHmacAlgorithm(c.signature_algorithm);
  std::vector<jose::PublicKey> candidates;
  if (hmac) {
    if (c.client_secret.empty()) return invalid("no key: clientSecret is not configured");
  } else {
    for (bool refresh : {false, true}) {
      KeySet set = keys_.keys(c, refresh, &error);
      if (!set) {
        if (refresh) return invalid("no key: " + error);
        continue;
      }
      candidates = matchingKeys(*set, jws.kid, x5t);
      if (!candidates.empty()) break;
      // Unknown kid: the issuer may have rotated; refetch once (throttled by the fetcher).
      if (c.jwk_endpoint_url.empty()) break;
    }
    if (candidates.empty()) {
      return invalid(!jws.kid.empty() ? "no key with the token's kid"
                     : !x5t.empty()   ? "no key with the token's x5t"
                                      : "no key to verify the token");
    }
    if (jws.kid.empty() && candidates.size() > 1) {
      return invalid("token has no kid and the key set holds several signing keys");
    }
  }

  // Issuer.
  auto iss = claims.getString("iss");
  if (!iss) return invalid("iss claim is missing");
  if (std::find(c.issuers.begin(), c.issuers.end(), *iss) == c.issuers.end()) {
    return invalid("issuer is not trusted by this configuration");
  }

  // Audience.
  const jose::Json* aud_claim = claims.get("aud");
  if (aud_claim != nullptr && !aud_claim->isString() && !aud_claim->isArray()) {
    return invalid("aud claim is neither a string nor an array");
  }
  if (aud_claim != nullptr && aud_claim->isArray()) {
    for (const auto& a : aud_claim->items()) {
      if (!a.isString()) return invalid("aud claim holds a value that is not a string");
    }
  }
  std::vector<std::string> aud = stringOrArray(aud_claim);
  if (!c.all_audiences) {
    if (!c.audiences.empty()) {
      bool ok = std::any_of(aud.begin(), aud.end(), [&](const std::string& a) {
        return std::find(c.audiences.begin(), c.audiences.end(), a) != c.audiences.end();
      });
      if (!ok) {
        return invalid((aud.empty() ? "aud claim is missing" : "audience not accepted") +
                       std::string("; accepted: ") + joined(c.audiences));
      }
    } else if (!aud.empty()) {
      bool ok = std::any_of(aud.begin(), aud.end(), [&](const std::string& a) {
        std::string o = urlOrigin(a);
        return !o.empty() &&
               std::find(own_origins.begin(), own_origins.end(), o) != own_origins.end();
      });
      if (!ok) {
        return invalid("audience is not this server's origin; accepted: a URL of " +
                       joined(own_origins));
      }
    }
  }

  // Time window.
  int64_t exp = 0, nbf = 0, iat = 0;
  jose::NumericResult rexp = jose::numericDate(claims, "exp", &exp);
  jose::NumericResult rnbf = jose::numericDate(claims, "nbf", &nbf);
  jose::NumericResult riat = jose::numericDate(claims, "iat", &iat);
  if (rexp == jose::NumericResult::kAbsent) return invalid("exp claim is missing");
  if (rexp == jose::NumericResult::kInvalid || rnbf == jose::NumericResult::kInvalid ||
      riat == jose::NumericResult::kInvalid) {
    return invalid("exp, nbf or iat is not a valid NumericDate");
  }
  const int64_t skew = c.clock_skew_s;
  if (now > exp + skew) return invalid("token expired");
  if (rnbf == jose::NumericResult::kValid && nbf > now + skew)
    return invalid("token not yet valid (nbf)");
  if (riat == jose::NumericResult::kValid) {
    if (iat > exp) return invalid("iat is after exp");
    if (iat > now + skew) return invalid("iat is in the future");
  }

  // Algorithm: exactly the configured one.
  if (jws.alg != c.signature_algorithm) return invalid("algorithm not accepted");

  // Signature.
  if (hmac) {
    jose::Status hs = jose::verifyHmac(jws.alg, c.client_secret, jws.signing_input, jws.signature);
    if (hs == jose::Status::kNoUsableKey)
      return invalid("clientSecret is too short for " + jws.alg);
    if (hs != jose::Status::kOk) return invalid("signature is not valid");
  } else {
    bool verified = false;
    bool fits = false;
    for (const auto& k : candidates) {
      if (!jose::keyFitsAlgorithm(k, jws.alg)) continue;
      fits = true;
      if (k.not_after != 0 && (now < k.not_before || now > k.not_after)) continue;
      if (jose::verifySignature(jws.alg, k, jws.signing_input, jws.signature) ==
          jose::Status::kOk) {
        verified = true;
        break;
      }
    }
    if (!fits) return invalid("the key does not fit the algorithm");
    if (!verified) return invalid("signature is not valid");
  }

  // Reuse.
  Validation ok;
  const jose::Json* jti_claim = claims.get("jti");
  if (jti_claim != nullptr) {
    if (!jti_claim->isString() || jti_claim->str().empty() || jti_claim->str().size() > 200) {
      return invalid("jti claim is not a string of 1 to 200 characters");
    }
    ok.has_jti = true;
    if (!c.token_reuse) {
      if (jtis_ == nullptr) {
        Validation v;
        v.kind = Validation::Kind::kServerError;
        v.description = "no jti store";
        return v;
      }
      try {
        if (jtis_->checkAndInsert(jtiNamespace(*iss), jti_claim->str(), exp + skew, now) ==
            JtiStore::Result::kReplayed) {
          return invalid("token was already used (jti)");
        }
      } catch (const StoreError& e) {
        Validation v;
        v.kind = Validation::Kind::kServerError;
        v.description = e.what();
        return v;
      }
    }
  }

  // Principal and subject.
  Subject& s = ok.subject;
  auto principal = claims.getString(c.user_identifier);
  if (!principal || principal->empty()) {
    return invalid("claim '" + c.user_identifier + "' (userIdentifier) is missing");
  }
  s.config_id = c.id;
  s.principal = *principal;
  s.issuer = *iss;
  s.unique_name = claims.getString(c.unique_user_identifier).value_or(s.principal);
  if (!c.realm_name.empty()) {
    s.realm = c.realm_name;
  } else {
    s.realm = claims.getString(c.realm_identifier).value_or(*iss);
  }
  s.groups = stringOrArray(claims.get(c.group_identifier));
  s.client_id = claims.getString("client_id").value_or(claims.getString("azp").value_or(""));
  if (auto scope = claims.getString("scope")) s.scopes = splitAny(*scope, " ");
  s.expires_at = exp;
  if (jti_claim != nullptr) s.jti = jti_claim->str();
  if (const jose::Json* cnf = claims.get("cnf"); cnf != nullptr) {
    // A binding idgate cannot check (a certificate's x5t#S256, a malformed cnf) is refused, not
    // taken for a bearer token.
    auto jkt = cnf->isObject() ? cnf->getString("jkt") : std::nullopt;
    if (!jkt || jkt->empty() || jkt->size() > 100) {
      return invalid("the token is bound (cnf) in a way idgate cannot check: only cnf.jkt (DPoP)");
    }
    s.jkt = *jkt;
  }
  std::string payload_b64 = jws.signing_input.substr(jws.signing_input.find('.') + 1);
  s.claims_json = base64UrlDecode(payload_b64).value_or("{}");
  if (c.map_identity_to_registry_user) {
    auto it = std::find_if(registry_.begin(), registry_.end(),
                           [&](const RegistryUser& u) { return u.name == s.principal; });
    if (it == registry_.end()) {
      Validation v;
      v.kind = Validation::Kind::kForbidden;
      v.description = "user '" + s.principal + "' is not in the registry";
      return v;
    }
    s.groups = it->groups;
    s.unique_name = it->name;
  }
  ok.kind = Validation::Kind::kOk;
  return ok;
}

}  // namespace idgate
