// The resource-server part of conf/server.xml, in Liberty's terms: <openidConnectClient>
// (a JWT issuer idgate trusts as authentication), <authFilter> (which requests a client
// applies to), <basicRegistry> (users and groups for mapIdentityToRegistryUser) and <route>
// (a gateway path forwarded to an upstream service).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idgate {

class XmlElement;

struct FilterCondition {
  enum class Kind { kRequestUrl, kRemoteAddress, kHost, kUserAgent, kRequestHeader, kCookie };
  enum class Match { kEquals, kContains, kNotContain, kGreaterThan, kLessThan };
  Kind kind;
  Match match = Match::kContains;
  std::vector<std::string> values;  ///< alternatives ('|'); any one may match
  std::string name;                 ///< requestHeader / cookie: the header or cookie name
};

struct AuthFilterConfig {
  std::string id;
  std::vector<FilterCondition> conditions;  ///< all must hold
};

struct OidcClientConfig {
  enum class Propagation { kNone, kSupported, kRequired };
  std::string id;
  Propagation inbound = Propagation::kNone;
  std::string signature_algorithm = "HS256";
  std::string jwk_endpoint_url;
  std::string trust_store_ref = "KeyStore";  ///< or "TrustStore" (server.xml <Security>)
  std::string trust_alias_name;
  std::string client_secret;
  std::vector<std::string> issuers;  ///< issuerIdentifier, split on space or comma
  std::vector<std::string> audiences;
  bool all_audiences = false;
  std::string header_name;
  std::string auth_filter_ref;
  std::string user_identifier = "sub";
  std::string unique_user_identifier = "uniqueSecurityName";
  std::string group_identifier = "groupIds";
  std::string realm_name;
  std::string realm_identifier = "realmName";
  bool map_identity_to_registry_user = false;
  int64_t clock_skew_s = 300;
  bool token_reuse = false;
  bool authn_session_disabled = true;
  bool access_token_cache_enabled = true;
  int64_t access_token_cache_timeout_s = 300;
  std::string key_management_key_alias;
  bool own_issuer = false;  ///< issuerIdentifier is idgate's own issuer (set at startup)

  /// Verified with idgate's own signing keys: its issuer, an asymmetric algorithm, and neither
  /// a JWKS URL nor a trust alias.
  bool usesOwnKeys() const;
};

struct RegistryUser {
  std::string name;
  std::vector<std::string> groups;
  /// As written in server.xml: an idgate hash (idgate-server hash-password), Liberty's {xor}
  /// encoding, or plain text; empty when the user has none (cannot sign in).
  std::string password;
};

/// Whether `password` is `user`'s, in constant time for the encodings that are compared.
bool registryPasswordMatches(const RegistryUser& user, const std::string& password);

struct RouteConfig {
  std::string path;      ///< prefix, "/orders" matches /orders and /orders/...
  std::string upstream;  ///< http://host:port[/base]
  std::string oidc_client_ref;
  int64_t timeout_ms = 30000;
  int64_t connect_timeout_ms = 2000;
};

struct ResourceServerConfig {
  std::vector<OidcClientConfig> clients;
  std::vector<AuthFilterConfig> filters;
  std::vector<RegistryUser> registry;
  bool has_registry = false;
  std::vector<RouteConfig> routes;
};

/// Reads the <openidConnectClient>, <authFilter>, <basicRegistry> and <route> children of
/// <Server>. Throws ConfigError naming file, element and attribute.
ResourceServerConfig parseResourceServer(const XmlElement& server);

/// Liberty duration: "300s", "5m", "1h", "1500ms", "1m30s". Bare numbers are refused.
std::optional<int64_t> parseDurationMillis(const std::string& text);

}  // namespace idgate
