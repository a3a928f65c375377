#include "config/identity_config.h"

#include <Poco/String.h>

#include "config/xml_element.h"

namespace idgate {
namespace {

void parseCacheManager(const XmlElement& manager, IdentityConfig& c) {
  manager.allowOnly({"Cache"}, {"name"});
  for (const auto& cache : manager.children("Cache")) {
    cache.allowOnly({}, {"name", "enable", "timeout", "capacity", "isDistributed"});
    CacheConfigEntry e;
    e.manager = manager.attribute("name").value_or("");
    e.name = cache.requiredAttribute("name");
    e.enable = cache.boolAttribute("enable", true);
    e.timeout_s = cache.intAttribute("timeout", 10, 0, 86400 * 365);
    e.capacity = cache.intAttribute("capacity", 5000, 0, 100000000);
    e.distributed = cache.boolAttribute("isDistributed", false);
    c.caches.push_back(e);
  }
}

}  // namespace

std::map<std::string, std::string> IdentityConfig::globalProperties() const {
  std::map<std::string, std::string> out;
  out["OAuth.TimestampSkew"] = std::to_string(timestamp_skew_s);
  for (const auto& c : caches) {
    std::string p = "CacheConfig." + c.name + ".";
    out[p + "enable"] = c.enable ? "true" : "false";
    out[p + "timeout"] = std::to_string(c.timeout_s);
    out[p + "capacity"] = std::to_string(c.capacity);
    out[p + "isDistributed"] = c.distributed ? "true" : "false";
  }
  return out;
}

IdentityConfig loadIdentityConfig(const std::string& file) {
  XmlFile xml(file);
  XmlElement root = xml.root("Server");
  root.allowOnly({"OAuth", "EventListeners", "CacheConfig", "CacheManager"}, {});
  IdentityConfig c;
  c.file = file;
  if (auto oauth = root.child("OAuth")) {
    oauth->allowOnly({"TimestampSkew", "Login", "RefreshTokens", "Revocation", "DPoP"}, {});
    if (auto revocation = oauth->child("Revocation")) {
      revocation->allowOnly({}, {"propagationSeconds"});
      c.revocation.propagation_s = revocation->intAttribute("propagationSeconds", 5, 0, 300);
    }
    if (auto dpop = oauth->child("DPoP")) {
      dpop->allowOnly({}, {"requireNonce", "nonceLifetimeSeconds", "proofMaxAgeSeconds"});
      c.dpop.require_nonce = dpop->boolAttribute("requireNonce", false);
      c.dpop.nonce_lifetime_s = dpop->intAttribute("nonceLifetimeSeconds", 300, 10, 3600);
      c.dpop.proof_max_age_s = dpop->intAttribute("proofMaxAgeSeconds", 300, 10, 3600);
    }
    if (auto refresh = oauth->child("RefreshTokens")) {
      refresh->allowOnly(
          {}, {"slidingLifetimeSeconds", "absoluteLifetimeSeconds", "reuseGraceSeconds"});
      c.refresh.sliding_s =
          refresh->intAttribute("slidingLifetimeSeconds", 14 * 86400, 60, 365 * 86400);
      c.refresh.absolute_s =
          refresh->intAttribute("absoluteLifetimeSeconds", 30 * 86400, 60, 5 * 365 * 86400);
      c.refresh.reuse_grace_s = refresh->intAttribute("reuseGraceSeconds", 0, 0, 300);
    }
    c.timestamp_skew_s = oauth->childInt("TimestampSkew", 60, 0, 3600);
    if (auto login = oauth->child("Login")) {
      login->allowOnly(
          {}, {"requirePushedAuthorizationRequests", "requirePkce", "sessionLifetimeSeconds",
               "idTokenLifetimeSeconds", "failedLoginsBeforeDelay", "maxLoginDelaySeconds"});
      c.login.require_par = login->boolAttribute("requirePushedAuthorizationRequests", false);
      c.login.require_pkce = login->boolAttribute("requirePkce", false);
      c.login.session_lifetime_s =
          login->intAttribute("sessionLifetimeSeconds", 8 * 3600, 60, 30 * 86400);
      c.login.id_token_lifetime_s = login->intAttribute("idTokenLifetimeSeconds", 3600, 60, 86400);
      c.login.free_failures =
          static_cast<int>(login->intAttribute("failedLoginsBeforeDelay", 5, 1, 100));
      c.login.max_delay_s = login->intAttribute("maxLoginDelaySeconds", 300, 1, 3600);
    }
  }
  if (auto listeners = root.child("EventListeners")) {
    listeners->allowOnly({"EventListener"}, {});
    for (const auto& l : listeners->children("EventListener")) {
      l.allowOnly({"Property", "TrustedIssuer"}, {"type", "name", "orderId", "enable"});
      EventListenerConfig e;
      e.type = l.attribute("type").value_or("");
      e.name = l.requiredAttribute("name");
      e.order_id = static_cast<int>(l.intAttribute("orderId", -1, INT32_MIN, INT32_MAX));
      std::string enable = Poco::toLower(Poco::trim(l.attribute("enable").value_or("true")));
      // WSO2 (Boolean.parseBoolean): anything but "true" disables; we also record the typo.
      e.enable = enable == "true";
      e.enable_valid = enable == "true" || enable == "false";
      for (const auto& p : l.children("Property")) {
        p.allowOnly({}, {"name"});
        e.properties[p.requiredAttribute("name")] = p.text();
      }
      // A grant handler's trusted issuers (the JWT bearer grant), handed to the plugin as
      // properties TrustedIssuer.<n>.<attribute> and TrustedIssuer.<n>.jwks (the element's text).
      int n = 0;
      for (const auto& t : l.children("TrustedIssuer")) {
        t.allowOnly({}, {"issuer", "jwksUri", "keystoreAlias", "audience", "subjectClaim"});
        const std::string prefix = "TrustedIssuer." + std::to_string(++n) + ".";
        e.properties[prefix + "issuer"] = t.requiredAttribute("issuer");
        std::string jwks = Poco::trim(t.text());
        int sources = (jwks.empty() ? 0 : 1) + (t.attribute("jwksUri") ? 1 : 0) +
                      (t.attribute("keystoreAlias") ? 1 : 0);
        if (sources != 1) {
          t.failAttribute("jwksUri",
                          "give the issuer's keys exactly one way: jwksUri=\"https://...\", "
                          "keystoreAlias=\"<alias of its certificate>\", or a JWK set as the "
                          "element's text");
        }
        if (!jwks.empty()) e.properties[prefix + "jwks"] = jwks;
        for (const char* a : {"jwksUri", "keystoreAlias", "audience", "subjectClaim"}) {
          if (auto v = t.attribute(a)) e.properties[prefix + a] = *v;
        }
      }
      c.listeners.push_back(std::move(e));
    }
  }
  if (auto cache_config = root.child("CacheConfig")) {
    cache_config->allowOnly({"CacheManager"}, {});
    for (const auto& m : cache_config->children("CacheManager")) parseCacheManager(m, c);
  }
  for (const auto& m : root.children("CacheManager")) parseCacheManager(m, c);
  return c;
}

}  // namespace idgate
