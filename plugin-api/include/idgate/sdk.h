// idgate plugin SDK: a C++ layer compiled into each plugin, on top of plugin_abi.h (ABI 2.0).
//
// Only C types cross the boundary; this header turns them into C++ for plugin authors and
// catches every exception before it can reach the host (fail closed: an exception while
// authenticating is a denial, an exception while configuring refuses the configuration).
//
//   class MyAuth : public idgate::sdk::ClientAuthenticator {
//    public:
//     // The host services it calls; any other is refused (see idgate_capability).
//     static constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_READ;
//     MyAuth(idgate::sdk::Host& host, const idgate::sdk::Properties& props);
//     idgate::sdk::Outcome authenticate(const idgate::sdk::Request& request) override;
//   };
//   IDGATE_CLIENT_AUTHENTICATOR(MyAuth, "my_auth", "my_auth_method",
//                               IDGATE_NAMES("com.example.MyAuth"), IDGATE_NAMES())
//
// One base class and one macro per kind: ClientAuthenticator, SubjectMapper, TokenCustomizer,
// GrantHandler, UserAuthenticator. Optional static members of the class: kCapabilities,
// kVersion, and for a client authenticator kSecretForm and kDefaultMethod.
#pragma once

#include <idgate/plugin_abi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace idgate::sdk {

/// Thrown from a plugin constructor to refuse its configuration.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown by Host lookups when the host reports a store failure.
class HostError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline idgate_str toAbi(std::string_view s) { return idgate_str{s.data(), s.size()}; }
inline std::string_view fromAbi(idgate_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}

/// Configuration properties from identity.xml (<Property name="...">value</Property>).
class Properties {
 public:
  Properties() = default;
  Properties(const idgate_kv* kv, size_t n) {
    for (size_t i = 0; i < n; ++i) values_[std::string(fromAbi(kv[i].key))] = fromAbi(kv[i].value);
  }
  std::optional<std::string> get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  /// The one of several accepted spellings that is present; `used` receives it. Two spellings
  /// set at once is ambiguous: ConfigError.
  std::optional<std::string> getAny(std::initializer_list<const char*> names,
                                    std::string* used = nullptr) const {
    std::optional<std::string> found;
    std::string found_name;
    for (const char* n : names) {
      if (auto v = get(n)) {
        if (found)
          throw ConfigError("properties " + found_name + " and " + n + " are both set; keep one");
        found = v;
        found_name = n;
      }
    }
    if (found && used) *used = found_name;
    return found;
  }
  bool getBool(const std::string& name, bool fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    if (*v == "true") return true;
    if (*v == "false") return false;
    throw ConfigError("property " + name + " must be true or false, not '" + *v + "'");
  }
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

/// The host services, wrapped.
class Host {
 public:
  explicit Host(const idgate_host_api* api) : api_(api) {}

  void log(idgate_log_level level, std::string_view message) const {
    api_->log(api_->context, level, toAbi(message));
  }
  void info(std::string_view m) const { log(IDGATE_LOG_INFO, m); }
  void warn(std::string_view m) const { log(IDGATE_LOG_WARNING, m); }

  /// Host clock, seconds since the epoch.
  int64_t nowSeconds() const { return api_->now_unix_ms(api_->context) / 1000; }
  int64_t nowMillis() const { return api_->now_unix_ms(api_->context); }

  /// Server-wide setting (OAuth.TimestampSkew, Server.Issuer...), or nullopt.
  std::optional<std::string> globalProperty(std::string_view name) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->global_property(api_->context, toAbi(name), s, u);
    });
  }
  /// Client metadata JSON, or nullopt when unknown. Throws HostError on store failure.
  std::optional<std::string> clientMetadata(std::string_view client_id) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->client_lookup(api_->context, toAbi(client_id), s, u);
    });
  }
  /// true = secret matches. Throws HostError on store failure.
  bool verifyClientSecret(std::string_view client_id, std::string_view secret) const {
    auto rc = api_->client_secret_verify(api_->context, toAbi(client_id), toAbi(secret));
    if (rc == IDGATE_LOOKUP_ERROR) throw HostError("client store failure");
    return rc == IDGATE_LOOKUP_FOUND;
  }
  std::optional<std::string> clientSecret(std::string_view client_id) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->client_secret_get(api_->context, toAbi(client_id), s, u);
    });
  }
  /// DER certificate stored under `alias` (case-insensitive) in the server keystore.
  std::optional<std::string> keystoreCertificate(std::string_view alias) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->keystore_certificate(api_->context, toAbi(alias), s, u);
    });
  }
  idgate_jti_code checkAndInsertJti(std::string_view client_id, std::string_view jti,
                                    int64_t exp_unix_s) const {
    return api_->jti_check_and_insert(api_->context, toAbi(client_id), toAbi(jti), exp_unix_s);
  }
  /// JWKS JSON from `uri` via the host's cache; nullopt never (throws HostError when unavailable).
  std::optional<std::string> fetchJwks(std::string_view uri, bool refresh) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->jwks_fetch(api_->context, toAbi(uri), refresh ? 1 : 0, s, u);
    });
  }
  /// true = the local user's password matches. Throws HostError on store failure.
  bool verifyUserPassword(std::string_view username, std::string_view password) const {
    auto rc = api_->user_password_verify(api_->context, toAbi(username), toAbi(password));
    if (rc == IDGATE_LOOKUP_ERROR) throw HostError("user store failure");
    return rc == IDGATE_LOOKUP_FOUND;
  }
  /// The local user as JSON {"username","subject","claims"}, or nullopt when unknown.
  std::optional<std::string> user(std::string_view username) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->user_lookup(api_->context, toAbi(username), s, u);
    });
  }
  /// true = the server.xml <basicRegistry> user's password matches. Throws HostError.
  bool verifyRegistryPassword(std::string_view username, std::string_view password) const {
    auto rc = api_->registry_password_verify(api_->context, toAbi(username), toAbi(password));
    if (rc == IDGATE_LOOKUP_ERROR) throw HostError("registry failure");
    return rc == IDGATE_LOOKUP_FOUND;
  }
  /// The <basicRegistry> user as JSON {"username","groups"}, or nullopt when unknown.
  std::optional<std::string> registryUser(std::string_view username) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->registry_user(api_->context, toAbi(username), s, u);
    });
  }
  /// ABI 2.2, IDGATE_CAP_TOKEN_VERIFY: the claims JSON of an access token idgate issued that
  /// is valid and unrevoked, else nullopt. Throws HostError on a store failure, or when the
  /// host is older than 2.2.
  std::optional<std::string> verifyAccessToken(std::string_view token) const {
    if (api_->struct_size <
            offsetof(idgate_host_api, access_token_verify) + sizeof(api_->access_token_verify) ||
        api_->access_token_verify == nullptr) {
      throw HostError("the host does not verify access tokens (ABI 2.2 needed)");
    }
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->access_token_verify(api_->context, toAbi(token), s, u);
    });
  }
  const idgate_host_api* api() const { return api_; }

 private:
  template <typename F>
  std::optional<std::string> collect(F&& call) const {
    std::string out;
    auto sink = [](void* user, idgate_str b) {
      static_cast<std::string*>(user)->assign(b.data == nullptr ? "" : std::string(b.data, b.len));
    };
    idgate_lookup_code rc = call(+sink, &out);
    if (rc == IDGATE_LOOKUP_ERROR) throw HostError("host lookup failed");
    if (rc != IDGATE_LOOKUP_FOUND) return std::nullopt;
    return out;
  }
  const idgate_host_api* api_;
};

/// Form parameters of a token request (the host guarantees each appears at most once).
class Params {
 public:
  Params() = default;
  Params(const idgate_kv* kv, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      values_.emplace(std::string(fromAbi(kv[i].key)), std::string(fromAbi(kv[i].value)));
      pairs_.emplace_back(std::string(fromAbi(kv[i].key)), std::string(fromAbi(kv[i].value)));
    }
  }
  std::optional<std::string> param(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  const std::map<std::string, std::string>& all() const { return values_; }
  /// Every value of a parameter the host lets repeat (resource, audience), in order.
  std::vector<std::string> every(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : pairs_) {
      if (k == name) out.push_back(v);
    }
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::pair<std::string, std::string>> pairs_;
};

/// A token request, as seen by a client authenticator.
class Request : public Params {
 public:
  explicit Request(const idgate_auth_request* r) : Params(r->params, r->param_count) {
    authorization_ = fromAbi(r->authorization);
    endpoint_url_ = fromAbi(r->endpoint_url);
  }
  const std::string& authorization() const { return authorization_; }
  const std::string& endpointUrl() const { return endpoint_url_; }

 private:
  std::string authorization_;
  std::string endpoint_url_;
};

/// What authenticate() returns.
struct Outcome {
  idgate_auth_code code = IDGATE_AUTH_DENIED;
  std::string client_id;
  std::string reason;

  static Outcome notHandled() { return {IDGATE_AUTH_NOT_HANDLED, {}, {}}; }
  static Outcome authenticated(std::string id) {
    return {IDGATE_AUTH_AUTHENTICATED, std::move(id), {}};
  }
  static Outcome denied(std::string why) { return {IDGATE_AUTH_DENIED, {}, std::move(why)}; }
  static Outcome badRequest(std::string why) {
    return {IDGATE_AUTH_BAD_REQUEST, {}, std::move(why)};
  }
  static Outcome serverError(std::string why) {
    return {IDGATE_AUTH_SERVER_ERROR, {}, std::move(why)};
  }
};

/// What every plugin class derives from (through one of the kinds below). A class overrides
/// these by declaring static members of the same name.
class PluginBase {
 public:
  virtual ~PluginBase() = default;
  /// idgate_capability bits of every host service the plugin calls.
  static constexpr uint64_t kCapabilities = 0;
  /// The plugin's own version, shown by GET /api/admin/plugins.
  static constexpr const char* kVersion = "1.0.0";
};

/// Base class of a client authenticator plugin.
class ClientAuthenticator : public PluginBase {
 public:
  /// How clients registered with this method keep their client_secret.
  static constexpr idgate_secret_form kSecretForm = IDGATE_SECRET_NONE;
  /// true: the method of a registration that names none.
  static constexpr bool kDefaultMethod = false;
  virtual Outcome authenticate(const Request& request) = 0;
};

/// The subject a subject mapper sees and may change.
struct Subject {
  std::string config_id;    ///< the <openidConnectClient> that accepted the token
  std::string issuer;       ///< read only
  std::string claims_json;  ///< the validated claims, read only
  std::string client_id;    ///< read only
  std::string principal;
  std::string unique_name;
  std::string realm;
  std::vector<std::string> groups;
};

/// What map() returns.
struct MapOutcome {
  idgate_map_code code = IDGATE_MAP_ERROR;
  std::string reason;

  static MapOutcome unchanged() { return {IDGATE_MAP_UNCHANGED, {}}; }
  static MapOutcome mapped() { return {IDGATE_MAP_MAPPED, {}}; }
  static MapOutcome denied(std::string why) { return {IDGATE_MAP_DENIED, std::move(why)}; }
  static MapOutcome error(std::string why) { return {IDGATE_MAP_ERROR, std::move(why)}; }
};

/// Base class of a subject mapper plugin: change `subject` and return mapped(), or leave it.
class SubjectMapper : public PluginBase {
 public:
  virtual MapOutcome map(Subject& subject) = 0;
};

/// JSON text of a string value, for claims a plugin sets.
inline std::string jsonString(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

/// A token about to be signed, as a token customizer sees it.
struct TokenContext {
  std::string token_type;  ///< "access_token"
  std::string grant_type;
  std::string client_id;
  std::string client_metadata_json;  ///< RFC 7591 metadata, no secrets
  std::string claims_json;           ///< the claims so far
};

/// The changes a customizer asks for: claims to set (JSON values) and claims to remove.
/// iss, exp, iat, jti and client_id are protected: the host fails a request whose customizer
/// touches them.
class ClaimChanges {
 public:
  void set(const std::string& name, std::string json_value) {
    set_.emplace_back(name, std::move(json_value));
  }
  void setString(const std::string& name, std::string_view value) { set(name, jsonString(value)); }
  void remove(const std::string& name) { removed_.push_back(name); }
  bool empty() const { return set_.empty() && removed_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& sets() const { return set_; }
  const std::vector<std::string>& removals() const { return removed_; }

 private:
  std::vector<std::pair<std::string, std::string>> set_;
  std::vector<std::string> removed_;
};

struct CustomizeOutcome {
  idgate_customize_code code = IDGATE_CUSTOMIZE_ERROR;
  std::string reason;
  static CustomizeOutcome unchanged() { return {IDGATE_CUSTOMIZE_UNCHANGED, {}}; }
  static CustomizeOutcome changed() { return {IDGATE_CUSTOMIZE_CHANGED, {}}; }
  static CustomizeOutcome denied(std::string why) {
    return {IDGATE_CUSTOMIZE_DENIED, std::move(why)};
  }
  static CustomizeOutcome error(std::string why) {
    return {IDGATE_CUSTOMIZE_ERROR, std::move(why)};
  }
};

/// Base class of a token customizer: record changes and return changed(), or deny.
class TokenCustomizer : public PluginBase {
 public:
  virtual CustomizeOutcome customize(const TokenContext& token, ClaimChanges& changes) = 0;
};

/// A token request for a grant type a grant handler implements.
struct GrantRequest {
  std::string grant_type;
  Params params;
  std::string client_id;  ///< authenticated by the client-authenticator chain
  std::string client_metadata_json;
  std::string endpoint_url;
  /// ABI 2.2: the key thumbprint of the request's verified DPoP proof ("" without one, or from
  /// an older host).
  std::string dpop_jkt;
};

struct GrantOutcome {
  idgate_grant_code code = IDGATE_GRANT_SERVER_ERROR;
  std::string subject;
  std::string scope;  ///< empty: the scopes the host granted; else narrows them
  std::string reason;
  /// Extra claims for the token: (name, JSON value). iss, sub, aud, exp, iat, jti, client_id and
  /// scope are set by the host and are not replaced.
  std::vector<std::pair<std::string, std::string>> claims;
  /// ABI 2.2: the token's aud (empty: the resource parameters, else the issuer).
  std::vector<std::string> audiences;
  /// ABI 2.2: the response's issued_token_type (RFC 8693), if any.
  std::string issued_token_type;
  /// ABI 2.2: a refresh token too, when offline_access was granted and the client may refresh.
  bool issue_refresh_token = false;

  GrantOutcome& claim(std::string name, std::string json_value) {
    claims.emplace_back(std::move(name), std::move(json_value));
    return *this;
  }
  GrantOutcome& stringClaim(std::string name, std::string_view value) {
    return claim(std::move(name), jsonString(value));
  }
  static GrantOutcome granted(std::string subject, std::string scope = {}) {
    GrantOutcome o;
    o.code = IDGATE_GRANT_GRANTED;
    o.subject = std::move(subject);
    o.scope = std::move(scope);
    return o;
  }
  static GrantOutcome refused(idgate_grant_code code, std::string why) {
    GrantOutcome o;
    o.code = code;
    o.reason = std::move(why);
    return o;
  }
  static GrantOutcome invalidGrant(std::string why) {
    return refused(IDGATE_GRANT_INVALID_GRANT, std::move(why));
  }
  static GrantOutcome invalidRequest(std::string why) {
    return refused(IDGATE_GRANT_INVALID_REQUEST, std::move(why));
  }
  static GrantOutcome invalidScope(std::string why) {
    return refused(IDGATE_GRANT_INVALID_SCOPE, std::move(why));
  }
  static GrantOutcome unauthorizedClient(std::string why) {
    return refused(IDGATE_GRANT_UNAUTHORIZED_CLIENT, std::move(why));
  }
  static GrantOutcome invalidTarget(std::string why) {
    return refused(IDGATE_GRANT_INVALID_TARGET, std::move(why));
  }
  static GrantOutcome serverError(std::string why) {
    return refused(IDGATE_GRANT_SERVER_ERROR, std::move(why));
  }
};

/// Base class of a grant handler.
class GrantHandler : public PluginBase {
 public:
  virtual GrantOutcome handle(const GrantRequest& request) = 0;
};

struct UserOutcome {
  idgate_user_code code = IDGATE_USER_ERROR;
  std::string subject;
  std::string claims_json;
  std::string reason;
  std::string acr;       ///< (ABI 2.1) the authentication context class reached; empty: none
  std::string amr_json;  ///< (ABI 2.1) a JSON array of RFC 8176 methods; empty: ["pwd"]
  static UserOutcome notHandled() { return {IDGATE_USER_NOT_HANDLED, {}, {}, {}, {}, {}}; }
  static UserOutcome authenticated(std::string subject, std::string claims_json = {}) {
    return {IDGATE_USER_AUTHENTICATED, std::move(subject), std::move(claims_json), {}, {}, {}};
  }
  static UserOutcome denied(std::string why) {
    return {IDGATE_USER_DENIED, {}, {}, std::move(why), {}, {}};
  }
  static UserOutcome error(std::string why) {
    return {IDGATE_USER_ERROR, {}, {}, std::move(why), {}, {}};
  }
};

namespace detail {
inline int32_t authenticateUser(idgate_instance_module_ptr instance, const idgate_user_request* req,
                                const idgate_result_api* out) noexcept;
}  // namespace detail

/// What the interactive login tells a user authenticator besides the credentials (ABI 2.1);
/// empty outside it and from older hosts.
struct UserContext {
  std::string client_id;
  std::string acr_values;  ///< space-separated
  std::string login_hint;
};

/// Base class of a user authenticator (username and password).
class UserAuthenticator : public PluginBase {
 public:
  virtual UserOutcome authenticate(const std::string& username, const std::string& password) = 0;
  /// The sign-in this call belongs to (set before each authenticate call, for the calling
  /// thread: the host calls one instance from several threads at once).
  const UserContext& context() const { return context_; }

 private:
  friend int32_t detail::authenticateUser(idgate_instance_module_ptr, const idgate_user_request*,
                                          const idgate_result_api*) noexcept;
  static inline thread_local UserContext context_;
};

namespace detail {

struct InstanceHolder {
  const idgate_host_api* api;
  Host host;
  std::unique_ptr<PluginBase> impl;
};

inline void writeError(char* buf, size_t len, const std::string& msg) {
  if (buf == nullptr || len == 0) return;
  size_t n = msg.size() < len - 1 ? msg.size() : len - 1;
  std::memcpy(buf, msg.data(), n);
  buf[n] = '\0';
}

inline void put(const idgate_result_api* out, std::string_view field, std::string_view value) {
  if (out != nullptr && out->set != nullptr) out->set(out->result, toAbi(field), toAbi(value));
}

template <typename T>
idgate_instance_module_ptr instanceNew(const idgate_host_api* host, const idgate_kv* props,
                                       size_t n, char* error, size_t error_len) noexcept {
  try {
    if (host == nullptr || host->struct_size < sizeof(idgate_host_api)) {
      writeError(error, error_len, "host API too old for this plugin");
      return nullptr;
    }
    auto holder = std::make_unique<InstanceHolder>(InstanceHolder{host, Host(host), nullptr});
    Properties p(props, n);
    holder->impl = std::make_unique<T>(holder->host, p);
    return reinterpret_cast<idgate_instance_module_ptr>(holder.release());
  } catch (const std::exception& e) {
    writeError(error, error_len, e.what());
  } catch (...) {
    writeError(error, error_len, "unknown exception while configuring");
  }
  return nullptr;
}

template <typename Kind>
Kind* impl(idgate_instance_module_ptr instance) {
  auto* holder = reinterpret_cast<InstanceHolder*>(instance);
  return holder == nullptr ? nullptr : static_cast<Kind*>(holder->impl.get());
}

inline int32_t authenticate(idgate_instance_module_ptr instance, const idgate_auth_request* req,
                            const idgate_result_api* out) noexcept {
  try {
    auto* self = impl<ClientAuthenticator>(instance);
    if (self == nullptr || req == nullptr || req->struct_size < sizeof(idgate_auth_request))
      return IDGATE_AUTH_DENIED;
    Outcome o = self->authenticate(Request(req));
    if (!o.client_id.empty()) put(out, "client_id", o.client_id);
    if (!o.reason.empty()) put(out, "reason", o.reason);
    return o.code;
  } catch (const HostError&) {
    try {
      put(out, "reason", "server error");
    } catch (...) {
    }
    return IDGATE_AUTH_SERVER_ERROR;
  } catch (...) {
    // Fail closed: any exception is a denial.
    try {
      put(out, "reason", "client authentication failed");
    } catch (...) {
    }
    return IDGATE_AUTH_DENIED;
  }
}

inline int32_t mapSubject(idgate_instance_module_ptr instance, const idgate_subject_request* req,
                          const idgate_result_api* out) noexcept {
  try {
    auto* self = impl<SubjectMapper>(instance);
    if (self == nullptr || req == nullptr || req->struct_size < sizeof(idgate_subject_request))
      return IDGATE_MAP_ERROR;
    Subject s;
    s.config_id = fromAbi(req->config_id);
    s.issuer = fromAbi(req->issuer);
    s.claims_json = fromAbi(req->claims_json);
    s.client_id = fromAbi(req->client_id);
    s.principal = fromAbi(req->principal);
    s.unique_name = fromAbi(req->unique_name);
    s.realm = fromAbi(req->realm);
    for (size_t i = 0; i < req->group_count; ++i) s.groups.emplace_back(fromAbi(req->groups[i]));
    MapOutcome o = self->map(s);
    if (o.code == IDGATE_MAP_MAPPED) {
      put(out, "principal", s.principal);
      put(out, "unique_name", s.unique_name);
      put(out, "realm", s.realm);
      std::string groups = "[";
      for (const auto& g : s.groups) groups += (groups.size() > 1 ? "," : "") + jsonString(g);
      put(out, "groups", groups + "]");
    }
    if (!o.reason.empty()) put(out, "reason", o.reason);
    return o.code;
  } catch (...) {
    // Fail closed: a mapper that throws has not decided, and undecided is not a pass.
    try {
      put(out, "reason", "subject mapping failed");
    } catch (...) {
    }
    return IDGATE_MAP_ERROR;
  }
}

inline int32_t customize(idgate_instance_module_ptr instance, const idgate_token_request* req,
                         const idgate_result_api* out) noexcept {
  try {
    auto* self = impl<TokenCustomizer>(instance);
    if (self == nullptr || req == nullptr || req->struct_size < sizeof(idgate_token_request))
      return IDGATE_CUSTOMIZE_ERROR;
    TokenContext t{std::string(fromAbi(req->token_type)), std::string(fromAbi(req->grant_type)),
                   std::string(fromAbi(req->client_id)),
                   std::string(fromAbi(req->client_metadata_json)),
                   std::string(fromAbi(req->claims_json))};
    ClaimChanges changes;
    CustomizeOutcome o = self->customize(t, changes);
    if (o.code == IDGATE_CUSTOMIZE_CHANGED) {
      for (const auto& [name, value] : changes.sets()) put(out, "claim:" + name, value);
      for (const auto& name : changes.removals()) put(out, "remove_claim", name);
    }
    if (!o.reason.empty()) put(out, "reason", o.reason);
    return o.code;
  } catch (...) {
    try {
      put(out, "reason", "token customization failed");
    } catch (...) {
    }
    return IDGATE_CUSTOMIZE_ERROR;
  }
}

inline int32_t handleGrant(idgate_instance_module_ptr instance, const idgate_grant_request* req,
                           const idgate_result_api* out) noexcept {
  try {
    auto* self = impl<GrantHandler>(instance);
    if (self == nullptr || req == nullptr ||
        req->struct_size < offsetof(idgate_grant_request, dpop_jkt))
      return IDGATE_GRANT_SERVER_ERROR;
    GrantRequest g{
        std::string(fromAbi(req->grant_type)),   Params(req->params, req->param_count),
        std::string(fromAbi(req->client_id)),    std::string(fromAbi(req->client_metadata_json)),
        std::string(fromAbi(req->endpoint_url)), {}};
    if (req->struct_size >= offsetof(idgate_grant_request, dpop_jkt) + sizeof(idgate_str)) {
      g.dpop_jkt = std::string(fromAbi(req->dpop_jkt));
    }
    GrantOutcome o = self->handle(g);
    if (o.code == IDGATE_GRANT_GRANTED) {
      put(out, "subject", o.subject);
      if (!o.scope.empty()) put(out, "scope", o.scope);
      for (const auto& [name, value] : o.claims) put(out, "claim:" + name, value);
      std::string audience;
      for (const auto& a : o.audiences) audience += (audience.empty() ? "" : " ") + a;
      if (!audience.empty()) put(out, "audience", audience);
      if (!o.issued_token_type.empty()) put(out, "issued_token_type", o.issued_token_type);
      if (o.issue_refresh_token) put(out, "refresh_token", "issue");
    }
    if (!o.reason.empty()) put(out, "reason", o.reason);
    return o.code;
  } catch (const HostError&) {
    try {
      put(out, "reason", "server error");
    } catch (...) {
    }
    return IDGATE_GRANT_SERVER_ERROR;
  } catch (...) {
    try {
      put(out, "reason", "the grant could not be checked");
    } catch (...) {
    }
    return IDGATE_GRANT_INVALID_GRANT;
  }
}

inline int32_t authenticateUser(idgate_instance_module_ptr instance, const idgate_user_request* req,
                                const idgate_result_api* out) noexcept {
  try {
    auto* self = impl<UserAuthenticator>(instance);
    // A 2.0 host passes the request without the 2.1 fields: accepted, with an empty context.
    if (self == nullptr || req == nullptr ||
        req->struct_size < offsetof(idgate_user_request, client_id))
      return IDGATE_USER_ERROR;
    self->context_ = UserContext{};
    if (req->struct_size >= offsetof(idgate_user_request, login_hint) + sizeof(idgate_str)) {
      self->context_.client_id = std::string(fromAbi(req->client_id));
      self->context_.acr_values = std::string(fromAbi(req->acr_values));
      self->context_.login_hint = std::string(fromAbi(req->login_hint));
    }
    UserOutcome o = self->authenticate(std::string(fromAbi(req->username)),
                                       std::string(fromAbi(req->password)));
    if (o.code == IDGATE_USER_AUTHENTICATED) {
      put(out, "subject", o.subject);
      if (!o.claims_json.empty()) put(out, "claims", o.claims_json);
      if (!o.acr.empty()) put(out, "acr", o.acr);
      if (!o.amr_json.empty()) put(out, "amr", o.amr_json);
    }
    if (!o.reason.empty()) put(out, "reason", o.reason);
    return o.code;
  } catch (...) {
    try {
      put(out, "reason", "user authentication failed");
    } catch (...) {
    }
    return IDGATE_USER_ERROR;
  }
}

/// Whether `T` derives from the SDK base class of `kind` (checked by the registration macros:
/// a class registered as another kind would be called through the wrong table).
template <typename T>
constexpr bool isKind(idgate_plugin_kind kind) {
  switch (kind) {
    case IDGATE_KIND_CLIENT_AUTHENTICATOR:
      return std::is_base_of_v<ClientAuthenticator, T>;
    case IDGATE_KIND_SUBJECT_MAPPER:
      return std::is_base_of_v<SubjectMapper, T>;
    case IDGATE_KIND_TOKEN_CUSTOMIZER:
      return std::is_base_of_v<TokenCustomizer, T>;
    case IDGATE_KIND_GRANT_HANDLER:
      return std::is_base_of_v<GrantHandler, T>;
    case IDGATE_KIND_USER_AUTHENTICATOR:
      return std::is_base_of_v<UserAuthenticator, T>;
  }
  return false;
}

template <typename T>
void instanceDestroy(idgate_instance_module_ptr instance) noexcept {
  try {
    delete reinterpret_cast<InstanceHolder*>(instance);
  } catch (...) {
  }
}

}  // namespace detail
}  // namespace idgate::sdk

/// A NULL-terminated list of names for the registration macros.
#define IDGATE_NAMES(...) \
  { __VA_ARGS__ __VA_OPT__(, ) nullptr }

/// The descriptor and the exported entry point; used by the registration macros below, which
/// define idgate_sdk_aliases_ and idgate_sdk_table_ first.
#define IDGATE_SDK_REGISTER_(Kind, Class, Name)                                            \
  namespace {                                                                              \
  const idgate_plugin_descriptor idgate_sdk_descriptor_ = {                                \
      sizeof(idgate_plugin_descriptor),                                                    \
      IDGATE_ABI_MAJOR,                                                                    \
      IDGATE_ABI_MINOR,                                                                    \
      Kind,                                                                                \
      Name,                                                                                \
      idgate_sdk_aliases_,                                                                 \
      Class::kVersion,                                                                     \
      Class::kCapabilities,                                                                \
      &::idgate::sdk::detail::instanceNew<Class>,                                          \
      &::idgate::sdk::detail::instanceDestroy<Class>,                                      \
      &idgate_sdk_table_,                                                                  \
  };                                                                                       \
  }                                                                                        \
  extern "C" IDGATE_PLUGIN_EXPORT const idgate_plugin_descriptor* idgate_plugin_v2(void) { \
    return &idgate_sdk_descriptor_;                                                        \
  }

/// Registers `Class` (a ClientAuthenticator) as this library's plugin.
#define IDGATE_CLIENT_AUTHENTICATOR(Class, Name, AuthMethod, Aliases, SigningAlgs) \
  namespace {                                                                      \
  const char* const idgate_sdk_aliases_[] = Aliases;                               \
  const char* const idgate_sdk_algs_[] = SigningAlgs;                              \
  const idgate_client_authenticator_table idgate_sdk_table_ = {                    \
      sizeof(idgate_client_authenticator_table),                                   \
      IDGATE_CLIENT_AUTHENTICATOR_TABLE_VERSION,                                   \
      AuthMethod,                                                                  \
      idgate_sdk_algs_,                                                            \
      Class::kSecretForm,                                                          \
      Class::kDefaultMethod ? 1 : 0,                                               \
      &::idgate::sdk::detail::authenticate};                                       \
  }                                                                                \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_CLIENT_AUTHENTICATOR, Class, Name)

/// Registers `Class` (a SubjectMapper) as this library's plugin.
#define IDGATE_SUBJECT_MAPPER(Class, Name, Aliases)                                           \
  namespace {                                                                                 \
  const char* const idgate_sdk_aliases_[] = Aliases;                                          \
  const idgate_subject_mapper_table idgate_sdk_table_ = {sizeof(idgate_subject_mapper_table), \
                                                         IDGATE_SUBJECT_MAPPER_TABLE_VERSION, \
                                                         &::idgate::sdk::detail::mapSubject}; \
  }                                                                                           \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_SUBJECT_MAPPER, Class, Name)

/// Registers `Class` (a TokenCustomizer) as this library's plugin.
#define IDGATE_TOKEN_CUSTOMIZER(Class, Name, Aliases)                                             \
  namespace {                                                                                     \
  const char* const idgate_sdk_aliases_[] = Aliases;                                              \
  const idgate_token_customizer_table idgate_sdk_table_ = {sizeof(idgate_token_customizer_table), \
                                                           IDGATE_TOKEN_CUSTOMIZER_TABLE_VERSION, \
                                                           &::idgate::sdk::detail::customize};    \
  }                                                                                               \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_TOKEN_CUSTOMIZER, Class, Name)

/// Registers `Class` (a GrantHandler for `GrantType`) as this library's plugin.
#define IDGATE_GRANT_HANDLER(Class, Name, GrantType, Aliases)                            \
  namespace {                                                                            \
  const char* const idgate_sdk_aliases_[] = Aliases;                                     \
  const idgate_grant_handler_table idgate_sdk_table_ = {                                 \
      sizeof(idgate_grant_handler_table), IDGATE_GRANT_HANDLER_TABLE_VERSION, GrantType, \
      &::idgate::sdk::detail::handleGrant};                                              \
  }                                                                                      \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_GRANT_HANDLER, Class, Name)

/// Registers `Class` (a UserAuthenticator) as this library's plugin.
#define IDGATE_USER_AUTHENTICATOR(Class, Name, Aliases)                                 \
  namespace {                                                                           \
  const char* const idgate_sdk_aliases_[] = Aliases;                                    \
  const idgate_user_authenticator_table idgate_sdk_table_ = {                           \
      sizeof(idgate_user_authenticator_table), IDGATE_USER_AUTHENTICATOR_TABLE_VERSION, \
      &::idgate::sdk::detail::authenticateUser};                                        \
  }                                                                                     \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_USER_AUTHENTICATOR, Class, Name)
