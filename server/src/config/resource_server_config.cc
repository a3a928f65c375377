#include "config/resource_server_config.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>
#include <idgate/jose/jws.h>
#include <openssl/crypto.h>

#include <optional>
#include <sstream>

#include <algorithm>
#include <set>

#include "common/split.h"
#include "config/xml_element.h"
#include "crypto/digest.h"
#include "crypto/password_hash.h"

namespace idgate {
namespace {

/// Liberty's {xor} encoding: Base64 of the password's bytes each XORed with '_'.
std::optional<std::string> decodeXor(const std::string& encoded) {
  std::string b64 = encoded.substr(5);
  if (b64.empty() || b64.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789+/=") != std::string::npos)
    return std::nullopt;
  try {
    std::istringstream in(b64);
    Poco::Base64Decoder decoder(in);
    std::string bytes((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
    for (char& c : bytes) c = static_cast<char>(c ^ '_');
    return bytes;
  } catch (...) {
    return std::nullopt;
  }
}

const std::set<std::string> kAlgorithms = {"RS256", "RS384", "RS512", "PS256", "PS384",
                                           "PS512", "ES256", "ES384", "ES512", "EdDSA",
                                           "HS256", "HS384", "HS512"};

/// Milliseconds.
int64_t durationAttribute(const XmlElement& e, const std::string& name, int64_t fallback_s,
                          int64_t max_s) {
  auto text = e.attribute(name);
  if (!text) return fallback_s * 1000;
  auto ms = parseDurationMillis(*text);
  if (!ms || *ms < 0 || *ms > max_s * 1000) {
    e.failAttribute(name, "must be a duration such as 300s, 5m or 1h (at most " +
                              std::to_string(max_s) + "s), not '" + *text + "'");
  }
  return *ms;
}

FilterCondition::Match parseMatch(const XmlElement& e) {
  std::string m = e.attribute("matchType").value_or("contains");
  if (m == "equals") return FilterCondition::Match::kEquals;
  if (m == "contains") return FilterCondition::Match::kContains;
  if (m == "notContain") return FilterCondition::Match::kNotContain;
  if (m == "greaterThan") return FilterCondition::Match::kGreaterThan;
  if (m == "lessThan") return FilterCondition::Match::kLessThan;
  e.failAttribute("matchType",
                  "must be equals, contains, notContain, greaterThan or lessThan, not '" + m + "'");
}

AuthFilterConfig parseFilter(const XmlElement& f) {
  f.allowOnly({"requestUrl", "remoteAddress", "host", "userAgent", "requestHeader", "cookie"},
              {"id"});
  AuthFilterConfig out;
  out.id = f.requiredAttribute("id");
  struct Spec {
    const char* element;
    FilterCondition::Kind kind;
    const char* value_attr;
    bool named;
  };
  const Spec specs[] = {
      {"requestUrl", FilterCondition::Kind::kRequestUrl, "urlPattern", false},
      {"remoteAddress", FilterCondition::Kind::kRemoteAddress, "ip", false},
      {"host", FilterCondition::Kind::kHost, "name", false},
      {"userAgent", FilterCondition::Kind::kUserAgent, "agent", false},
      {"requestHeader", FilterCondition::Kind::kRequestHeader, "value", true},
      {"cookie", FilterCondition::Kind::kCookie, "name", false},
  };
  for (const Spec& spec : specs) {
    for (const auto& c : f.children(spec.element)) {
      if (spec.named) {
        c.allowOnly({}, {"id", "name", "value", "matchType"});
      } else {
        c.allowOnly({}, {"id", spec.value_attr, "matchType"});
      }
      FilterCondition cond;
      cond.kind = spec.kind;
      cond.match = parseMatch(c);
      bool ip = spec.kind == FilterCondition::Kind::kRemoteAddress;
      if (!ip && (cond.match == FilterCondition::Match::kGreaterThan ||
                  cond.match == FilterCondition::Match::kLessThan)) {
        c.failAttribute("matchType", "greaterThan and lessThan apply to remoteAddress only");
      }
      if (spec.named) {
        cond.name = c.requiredAttribute("name");
        // A header condition without a value asks only that the header be present.
        if (auto v = c.attribute("value")) cond.values = splitAny(*v, "|");
      } else {
        cond.values = splitAny(c.requiredAttribute(spec.value_attr), "|");
        if (cond.values.empty()) c.failAttribute(spec.value_attr, "must not be empty");
      }
      out.conditions.push_back(cond);
    }
  }
  return out;
}

OidcClientConfig parseClient(const XmlElement& e) {
  e.allowOnly({}, {"id",
                   "inboundPropagation",
                   "signatureAlgorithm",
                   "jwkEndpointUrl",
                   "trustStoreRef",
                   "trustAliasName",
                   "clientSecret",
                   "issuerIdentifier",
                   "audiences",
                   "headerName",
                   "authFilterRef",
                   "userIdentifier",
                   "uniqueUserIdentifier",
                   "groupIdentifier",
                   "realmName",
                   "realmIdentifier",
                   "mapIdentityToRegistryUser",
                   "clockSkew",
                   "tokenReuse",
                   "authnSessionDisabled",
                   "accessTokenCacheEnabled",
                   "accessTokenCacheTimeout",
                   "keyManagementKeyAlias"});
  OidcClientConfig c;
  c.id = e.requiredAttribute("id");
  std::string inbound = e.attribute("inboundPropagation").value_or("none");
  if (inbound == "none") {
    c.inbound = OidcClientConfig::Propagation::kNone;
  } else if (inbound == "supported") {
    c.inbound = OidcClientConfig::Propagation::kSupported;
  } else if (inbound == "required") {
    c.inbound = OidcClientConfig::Propagation::kRequired;
  } else {
    e.failAttribute("inboundPropagation",
                    "must be none, supported or required, not '" + inbound + "'");
  }
  c.signature_algorithm = e.attribute("signatureAlgorithm").value_or("HS256");
  if (c.signature_algorithm == "none") {
    e.failAttribute("signatureAlgorithm",
                    "'none' would accept unsigned tokens as authentication; idgate refuses it");
  }
  if (!kAlgorithms.count(c.signature_algorithm)) {
    e.failAttribute("signatureAlgorithm",
                    "must be one of RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 "
                    "EdDSA HS256 HS384 HS512, not '" +
                        c.signature_algorithm + "'");
  }
  c.jwk_endpoint_url = e.attribute("jwkEndpointUrl").value_or("");
  if (!c.jwk_endpoint_url.empty()) {
    Poco::URI uri;
    try {
      uri = Poco::URI(c.jwk_endpoint_url);
    } catch (...) {
    }
    if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty()) {
      e.failAttribute("jwkEndpointUrl", "must be an http(s) URL, not '" + c.jwk_endpoint_url + "'");
    }
  }
  c.trust_store_ref = e.attribute("trustStoreRef").value_or("KeyStore");
  if (c.trust_store_ref != "KeyStore" && c.trust_store_ref != "TrustStore") {
    e.failAttribute(
        "trustStoreRef",
        "must name a store of <Security>: KeyStore or TrustStore, not '" + c.trust_store_ref + "'");
  }
  c.trust_alias_name = e.attribute("trustAliasName").value_or("");
  c.client_secret = e.attribute("clientSecret").value_or("");
  c.issuers = splitAny(e.attribute("issuerIdentifier").value_or(""), " ,");
  for (const auto& a : splitAny(e.attribute("audiences").value_or(""), " ,")) {
    if (a == "ALL_AUDIENCES") {
      c.all_audiences = true;
    } else {
      c.audiences.push_back(a);
    }
  }
  c.header_name = e.attribute("headerName").value_or("");
  c.auth_filter_ref = e.attribute("authFilterRef").value_or("");
  c.user_identifier = e.attribute("userIdentifier").value_or("sub");
  c.unique_user_identifier = e.attribute("uniqueUserIdentifier").value_or("uniqueSecurityName");
  c.group_identifier = e.attribute("groupIdentifier").value_or("groupIds");
  c.realm_name = e.attribute("realmName").value_or("");
  c.realm_identifier = e.attribute("realmIdentifier").value_or("realmName");
  c.map_identity_to_registry_user = e.boolAttribute("mapIdentityToRegistryUser", false);
  c.clock_skew_s = durationAttribute(e, "clockSkew", 300, 3600) / 1000;
  c.token_reuse = e.boolAttribute("tokenReuse", false);
  c.authn_session_disabled = e.boolAttribute("authnSessionDisabled", true);
  c.access_token_cache_enabled = e.boolAttribute("accessTokenCacheEnabled", true);
  c.access_token_cache_timeout_s =
      durationAttribute(e, "accessTokenCacheTimeout", 300, 86400) / 1000;
  c.key_management_key_alias = e.attribute("keyManagementKeyAlias").value_or("");

  bool hmac = jose::isHmacAlgorithm(c.signature_algorithm);
  if (hmac && !c.jwk_endpoint_url.empty()) {
    e.failAttribute("jwkEndpointUrl", "does not apply to " + c.signature_algorithm +
                                          ", which is verified with clientSecret");
  }
  if (!hmac && !c.client_secret.empty()) {
    e.failAttribute("clientSecret",
                    "applies to HS256/384/512 only, not to " + c.signature_algorithm);
  }
  if (hmac && !c.client_secret.empty()) {
    size_t min = jose::hmacKeyMinimumBytes(c.signature_algorithm);
    if (c.client_secret.size() < min) {
      e.failAttribute("clientSecret", "must be at least " + std::to_string(min) + " bytes for " +
                                          c.signature_algorithm);
    }
  }
  if (!c.trust_alias_name.empty() && !c.jwk_endpoint_url.empty()) {
    e.failAttribute("trustAliasName", "set either jwkEndpointUrl or trustAliasName, not both");
  }
  if (c.inbound != OidcClientConfig::Propagation::kNone && c.issuers.empty()) {
    e.failAttribute("issuerIdentifier", "is required when inboundPropagation is not none");
  }
  return c;
}

}  // namespace

bool OidcClientConfig::usesOwnKeys() const {
  return own_issuer && jwk_endpoint_url.empty() && trust_alias_name.empty() &&
         !jose::isHmacAlgorithm(signature_algorithm);
}

std::optional<int64_t> parseDurationMillis(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > 1000000000) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;
    if (text.compare(i, 2, "ms") == 0) {
      total += n;
      i += 2;
    } else if (i < text.size() && (text[i] == 'h' || text[i] == 'm' || text[i] == 's')) {
      total += n * (text[i] == 'h' ? 3600000 : text[i] == 'm' ? 60000 : 1000);
      ++i;
    } else {
      return std::nullopt;  // bare number, or unknown unit
    }
  }
  return total;
}

ResourceServerConfig parseResourceServer(const XmlElement& server) {
  ResourceServerConfig rs;
  std::set<std::string> ids;
  for (const auto& f : server.children("authFilter")) {
    rs.filters.push_back(parseFilter(f));
    if (!ids.insert("filter:" + rs.filters.back().id).second) {
      f.failAttribute("id", "another <authFilter> has id '" + rs.filters.back().id + "'");
    }
  }
  for (const auto& e : server.children("openidConnectClient")) {
    OidcClientConfig c = parseClient(e);
    if (!ids.insert("client:" + c.id).second) {
      e.failAttribute("id", "another <openidConnectClient> has id '" + c.id + "'");
    }
    if (!c.auth_filter_ref.empty() && !ids.count("filter:" + c.auth_filter_ref)) {
      e.failAttribute("authFilterRef", "no <authFilter id=\"" + c.auth_filter_ref + "\">");
    }
    rs.clients.push_back(std::move(c));
  }
  if (auto reg = server.child("basicRegistry")) {
    reg->allowOnly({"user", "group"}, {"id", "realm"});
    rs.has_registry = true;
    for (const auto& u : reg->children("user")) {
      u.allowOnly({}, {"name", "password"});
      RegistryUser user{u.requiredAttribute("name"), {}, u.attribute("password").value_or("")};
      const std::string& pw = user.password;
      if (pw.rfind("{xor}", 0) == 0) {
        if (!decodeXor(pw)) u.failAttribute("password", "{xor} must be followed by Base64");
      } else if (pw.rfind("{", 0) == 0 && !crypto::isPasswordHash(pw)) {
        u.failAttribute("password",
                        "only {xor}, an idgate hash (idgate-server hash-password) or plain text "
                        "are understood; re-encode it with idgate-server hash-password");
      } else if (!pw.empty() && !crypto::isPasswordHash(pw)) {
        Poco::Logger::get("idgate.config")
            .warning(u.path() + " name=\"" + user.name +
                     "\": plain-text password; store a hash (idgate-server hash-password)");
      }
      rs.registry.push_back(std::move(user));
    }
    for (const auto& g : reg->children("group")) {
      g.allowOnly({"member"}, {"name"});
      std::string group = g.requiredAttribute("name");
      for (const auto& m : g.children("member")) {
        m.allowOnly({}, {"name"});
        std::string member = m.requiredAttribute("name");
        auto it = std::find_if(rs.registry.begin(), rs.registry.end(),
                               [&](const RegistryUser& u) { return u.name == member; });
        if (it == rs.registry.end()) {
          m.failAttribute("name", "no <user name=\"" + member + "\"> in the registry");
        }
        it->groups.push_back(group);
      }
    }
  }
  for (const auto& c : rs.clients) {
    if (c.map_identity_to_registry_user && !rs.has_registry) {
      server.fail("<openidConnectClient id=\"" + c.id +
                  "\"> sets mapIdentityToRegistryUser but there is no <basicRegistry>");
    }
  }
  for (const auto& r : server.children("route")) {
    r.allowOnly({}, {"path", "upstream", "openidConnectClientRef", "timeout", "connectTimeout"});
    RouteConfig route;
    route.path = r.requiredAttribute("path");
    if (route.path.empty() || route.path[0] != '/' || route.path.back() == '/' ||
        route.path.rfind("/oauth2", 0) == 0 || route.path.rfind("/o/oauth2", 0) == 0 ||
        route.path.rfind("/api", 0) == 0 || route.path.rfind("/auth", 0) == 0) {
      r.failAttribute("path",
                      "must start with '/', not end with '/', and not overlap idgate's own "
                      "/oauth2, /o/oauth2, /api and /auth paths: '" +
                          route.path + "'");
    }
    route.upstream = r.requiredAttribute("upstream");
    Poco::URI uri;
    try {
      uri = Poco::URI(route.upstream);
    } catch (...) {
    }
    if (uri.getScheme() != "http" || uri.getHost().empty() || !uri.getQuery().empty()) {
      r.failAttribute("upstream", "must be an http://host:port URL, not '" + route.upstream + "'");
    }
    route.oidc_client_ref = r.requiredAttribute("openidConnectClientRef");
    auto it = std::find_if(rs.clients.begin(), rs.clients.end(), [&](const OidcClientConfig& c) {
      return c.id == route.oidc_client_ref;
    });
    if (it == rs.clients.end()) {
      r.failAttribute("openidConnectClientRef",
                      "no <openidConnectClient id=\"" + route.oidc_client_ref + "\">");
    }
    if (it->inbound == OidcClientConfig::Propagation::kNone) {
      r.failAttribute("openidConnectClientRef", "<openidConnectClient id=\"" + it->id +
                                                    "\"> has inboundPropagation=\"none\"");
    }
    route.timeout_ms = durationAttribute(r, "timeout", 30, 3600);
    route.connect_timeout_ms = durationAttribute(r, "connectTimeout", 2, 60);
    for (const auto& other : rs.routes) {
      if (other.path == route.path) r.failAttribute("path", "another <route> has this path");
    }
    rs.routes.push_back(route);
  }
  return rs;
}

bool registryPasswordMatches(const RegistryUser& user, const std::string& password) {
  if (user.password.empty()) return false;
  if (crypto::isPasswordHash(user.password)) return crypto::verifyPassword(password, user.password);
  std::optional<std::string> expected = user.password.rfind("{xor}", 0) == 0
                                            ? decodeXor(user.password)
                                            : std::optional<std::string>(user.password);
  if (!expected) return false;
  // Digests of both, so neither the length nor the content leaks through timing.
  const std::string a = crypto::sha256(*expected), b = crypto::sha256(password);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace idgate
