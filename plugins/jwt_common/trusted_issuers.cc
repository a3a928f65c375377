#include "trusted_issuers.h"

#include "../common/property_values.h"

namespace idgate::plugins {

using idgate::sdk::ConfigError;

std::map<std::string, TrustedIssuer> trustedIssuers(const idgate::sdk::Properties& props,
                                                    bool required) {
  std::map<std::string, TrustedIssuer> out;
  for (int n = 1;; ++n) {
    const std::string p = "TrustedIssuer." + std::to_string(n) + ".";
    auto issuer = props.get(p + "issuer");
    if (!issuer) break;
    TrustedIssuer t;
    t.issuer = *issuer;
    if (t.issuer.empty())
      throw ConfigError("TrustedIssuer " + std::to_string(n) + ": issuer is empty");
    if (t.issuer.size() > 240)  // the JTI table's scope column holds "grant:" + issuer
      throw ConfigError("TrustedIssuer '" + t.issuer.substr(0, 40) +
                        "…': an issuer is at most 240 characters");
    if (out.count(t.issuer))
      throw ConfigError("TrustedIssuer '" + t.issuer + "' is configured twice");
    t.jwks_text = props.get(p + "jwks").value_or("");
    t.jwks_uri = props.get(p + "jwksUri").value_or("");
    t.keystore_alias = props.get(p + "keystoreAlias").value_or("");
    t.audiences = splitAny(props.get(p + "audience").value_or(""), " ,");
    t.subject_claim = props.get(p + "subjectClaim").value_or("sub");
    if (t.subject_claim.empty()) t.subject_claim = "sub";
    if (!t.jwks_text.empty()) {
      t.jwks = jose::parseJson(t.jwks_text, jose::JsonLimits{16, 1024 * 1024});
      std::string why;
      int skipped = 0;
      if (!t.jwks || !jose::importJwks(*t.jwks, &skipped, &why)) {
        throw ConfigError("TrustedIssuer '" + t.issuer + "': the inline JWK set is not usable" +
                          (why.empty() ? std::string() : ": " + why));
      }
    }
    if (!t.jwks_uri.empty() && t.jwks_uri.rfind("https://", 0) != 0 &&
        t.jwks_uri.rfind("http://", 0) != 0) {
      throw ConfigError("TrustedIssuer '" + t.issuer + "': jwksUri must be an http(s) URL");
    }
    if (!t.jwks && t.jwks_uri.empty() && t.keystore_alias.empty()) {
      throw ConfigError("TrustedIssuer '" + t.issuer +
                        "': no keys: give jwksUri, keystoreAlias or an inline JWK set");
    }
    out.emplace(t.issuer, std::move(t));
  }
  if (required && out.empty()) {
    throw ConfigError(
        "no <TrustedIssuer> configured: add <TrustedIssuer issuer=\"...\" jwksUri=\"...\"/> to "
        "this EventListener");
  }
  return out;
}

SignatureCheck verifyIssuerSignature(idgate::sdk::Host& host, KeySetVerifier& verifier,
                                     const TrustedIssuer& t, const jose::CompactJws& jws) {
  if (t.jwks) return verifier.withSet(jws, *t.jwks, t.jwks_text);
  if (!t.jwks_uri.empty()) return verifier.withUri(jws, t.jwks_uri);
  std::optional<std::string> der;
  try {
    der = host.keystoreCertificate(t.keystore_alias);
  } catch (const idgate::sdk::HostError&) {
    return {"keystore unavailable", true};
  }
  if (!der) {
    host.warn("trusted issuer " + t.issuer + ": no certificate under keystore alias '" +
              t.keystore_alias + "'");
    return {"issuer keys unavailable", false};
  }
  return verifier.withCertificate(jws, *der, true, "issuer " + t.issuer);
}

}  // namespace idgate::plugins
