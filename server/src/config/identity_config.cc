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

std::string defaultIdentityXml() {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- idgate identity configuration (WSO2 identity.xml format).
     Client authenticators are dropins; an EventListener switches one on or off and orders it.
     A client authenticator without an entry is enabled with orderId -1 (WSO2 rule); every other
     kind runs only when listed here with enable="true". Changes apply without a restart:
     POST /api/admin/plugins/reload or kill -HUP. See docs/plugins.md. -->
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
  <OAuth>
    <TimestampSkew>60</TimestampSkew>
    <!-- The interactive login (docs/guides/login.md). requirePushedAuthorizationRequests: every
         client must push its authorization requests (RFC 9126); requirePkce: confidential
         clients must use PKCE too (public clients always must). A wrong password delays that
         account and that address after failedLoginsBeforeDelay failures, doubling up to
         maxLoginDelaySeconds. -->
    <Login requirePushedAuthorizationRequests="false" requirePkce="false"
           sessionLifetimeSeconds="28800" idTokenLifetimeSeconds="3600"
           failedLoginsBeforeDelay="5" maxLoginDelaySeconds="300"/>
    <!-- Refresh tokens (a client registered for grant_type refresh_token that asks for
         offline_access): rotated at every use; a rotated token used again revokes its whole
         family, unless within reuseGraceSeconds (for clients that retry). -->
    <RefreshTokens slidingLifetimeSeconds="1209600" absoluteLifetimeSeconds="2592000"
                   reuseGraceSeconds="0"/>
    <Revocation propagationSeconds="5"/>
    <DPoP requireNonce="false" nonceLifetimeSeconds="300" proofMaxAgeSeconds="300"/>
  </OAuth>
  <EventListeners>
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="org.wso2.carbon.identity.oauth2.client.authentication.BasicAuthClientAuthenticator"
                   orderId="10" enable="true"/>
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="client_secret_post" orderId="20" enable="true"/>
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="org.wso2.carbon.identity.oauth2.token.handler.clientauth.jwt.PrivateKeyJWTClientAuthenticator"
                   orderId="899" enable="true">
      <Property name="PreventTokenReuse">true</Property>
      <Property name="RejectBeforeInMinutes">300</Property>
      <Property name="MaxAssertionLifetimeInMinutes">60</Property>
      <Property name="AudienceMode">legacy</Property>
      <!-- <Property name="TokenEndpointAlias">https://idp.example.com/oauth2/token</Property> -->
    </EventListener>
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="client_secret_jwt" orderId="900" enable="true">
      <Property name="PreventTokenReuse">true</Property>
      <Property name="RejectBeforeInMinutes">300</Property>
      <Property name="MaxAssertionLifetimeInMinutes">60</Property>
      <Property name="AudienceMode">legacy</Property>
    </EventListener>
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="none" orderId="1000" enable="true"/>
    <!-- The resource server's subject mapper (bundled):
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="claim_subject_mapper" orderId="10" enable="true">
      <Property name="GroupsClaim">roles</Property>
    </EventListener> -->
    <!-- Token customizer (bundled): claims registered with the client (token_claims) in its
         access tokens:
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="client_claims" orderId="10" enable="true">
      <Property name="RequiredClaims">tenant</Property>
    </EventListener> -->
    <!-- Grant handler (bundled): the JWT bearer grant (RFC 7523) for trusted issuers:
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="jwt_bearer_grant" orderId="40" enable="true">
      <TrustedIssuer issuer="https://partner.example.com"
                     jwksUri="https://partner.example.com/jwks" subjectClaim="sub"/>
    </EventListener> -->
    <!-- Grant handler (bundled): token exchange (RFC 8693). idgate's own access tokens are
         accepted as subject and actor tokens; <TrustedIssuer> elements (as for the JWT bearer
         grant) add other issuers' JWTs. Only clients registered with token_exchange_audiences
         may exchange, and only for those audiences. -->
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="token_exchange_grant" orderId="41" enable="true"/>
    <!-- User authenticators (bundled), asked in orderId order by the login page: idgate's
         user store (/api/admin/users), and server.xml's <basicRegistry> (uncomment to use). -->
    <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="local_users" orderId="10" enable="true"/>
    <!-- <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
                   name="basic_registry" orderId="20" enable="true"/> -->
  </EventListeners>
  <CacheConfig>
    <CacheManager name="IdentityApplicationManagementCacheManager">
      <Cache name="PrivateKeyJWT" enable="true" timeout="10" capacity="5000" isDistributed="false"/>
    </CacheManager>
  </CacheConfig>
</Server>
)";
}

}  // namespace idgate
