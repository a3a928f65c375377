// idgate plugin SDK: a C++ layer compiled into each plugin, on top of plugin_abi.h.
//
// Only C types cross the boundary; this header turns them into C++ for plugin authors and
// catches every exception before it can reach the host (fail closed: an exception while
// authenticating is a denial, an exception while configuring refuses the configuration).
//
//   class MyAuth : public idgate::sdk::ClientAuthenticator {
//    public:
//     MyAuth(idgate::sdk::Host& host, const idgate::sdk::Properties& props);
//     idgate::sdk::Outcome authenticate(const idgate::sdk::Request& request) override;
//   };
//   IDGATE_CLIENT_AUTHENTICATOR(MyAuth, "my_auth", "my_auth_method",
//                               IDGATE_NAMES("com.example.MyAuth"), IDGATE_NAMES())
//
// A subject mapper (ABI 1.2) is the same with SubjectMapper, map() and IDGATE_SUBJECT_MAPPER.
#pragma once

#include <idgate/plugin_abi.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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
  std::optional<std::string> globalProperty(std::string_view name) const {
    return collect([&](idgate_bytes_sink s, void* u) {
      return api_->global_property(api_->context, toAbi(name), s, u);
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

/// A token request, as seen by an authenticator.
class Request {
 public:
  explicit Request(const idgate_auth_request* r) {
    for (size_t i = 0; i < r->param_count; ++i)
      params_.emplace(std::string(fromAbi(r->params[i].key)),
                      std::string(fromAbi(r->params[i].value)));
    authorization_ = fromAbi(r->authorization);
    endpoint_url_ = fromAbi(r->endpoint_url);
  }
  /// A form parameter (the host guarantees each appears at most once).
  std::optional<std::string> param(const std::string& name) const {
    auto it = params_.find(name);
    if (it == params_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& authorization() const { return authorization_; }
  const std::string& endpointUrl() const { return endpoint_url_; }

 private:
  std::map<std::string, std::string> params_;
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

/// What every plugin class derives from (through one of the kinds below).
class PluginBase {
 public:
  virtual ~PluginBase() = default;
};

/// Base class of a client authenticator plugin.
class ClientAuthenticator : public PluginBase {
 public:
  virtual Outcome authenticate(const Request& request) = 0;
};

/// The subject a subject mapper sees and may change (ABI 1.2).
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

inline int32_t authenticate(idgate_instance_module_ptr instance, const idgate_auth_request* req,
                            idgate_auth_result_host_ptr result) noexcept {
  auto* holder = reinterpret_cast<InstanceHolder*>(instance);
  try {
    if (holder == nullptr || req == nullptr || req->struct_size < sizeof(idgate_auth_request))
      return IDGATE_AUTH_DENIED;
    Outcome o = static_cast<ClientAuthenticator&>(*holder->impl).authenticate(Request(req));
    if (!o.client_id.empty()) holder->api->auth_result_set_client_id(result, toAbi(o.client_id));
    if (!o.reason.empty()) holder->api->auth_result_set_reason(result, toAbi(o.reason));
    return o.code;
  } catch (const HostError& e) {
    holder->api->auth_result_set_reason(result, toAbi("server error"));
    return IDGATE_AUTH_SERVER_ERROR;
  } catch (...) {
    // Fail closed: any exception is a denial.
    try {
      holder->api->auth_result_set_reason(result, toAbi("client authentication failed"));
    } catch (...) {
    }
    return IDGATE_AUTH_DENIED;
  }
}

inline int32_t mapSubject(idgate_instance_module_ptr instance, const idgate_subject_request* req,
                          idgate_subject_host_ptr out) noexcept {
  auto* holder = reinterpret_cast<InstanceHolder*>(instance);
  try {
    if (holder == nullptr || req == nullptr || req->struct_size < sizeof(idgate_subject_request))
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
    MapOutcome o = static_cast<SubjectMapper&>(*holder->impl).map(s);
    const idgate_host_api* api = holder->api;
    if (o.code == IDGATE_MAP_MAPPED) {
      api->subject_set_principal(out, toAbi(s.principal));
      api->subject_set_unique_name(out, toAbi(s.unique_name));
      api->subject_set_realm(out, toAbi(s.realm));
      std::vector<idgate_str> groups;
      for (const auto& g : s.groups) groups.push_back(toAbi(g));
      api->subject_set_groups(out, groups.data(), groups.size());
    }
    if (!o.reason.empty()) api->subject_set_reason(out, toAbi(o.reason));
    return o.code;
  } catch (...) {
    // Fail closed: a mapper that throws has not decided, and undecided is not a pass.
    try {
      holder->api->subject_set_reason(out, toAbi("subject mapping failed"));
    } catch (...) {
    }
    return IDGATE_MAP_ERROR;
  }
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

/// A NULL-terminated list of names for IDGATE_CLIENT_AUTHENTICATOR.
#define IDGATE_NAMES(...) \
  { __VA_ARGS__ __VA_OPT__(, ) nullptr }

/// The descriptor and the exported entry point; used by the registration macros below, which
/// define idgate_sdk_aliases_ first.
#define IDGATE_SDK_REGISTER_(Kind, Class, Name, AuthMethod, SigningAlgs, Authenticate, MapSubject) \
  namespace {                                                                                      \
  const idgate_plugin_descriptor idgate_sdk_descriptor_ = {                                        \
      sizeof(idgate_plugin_descriptor),                                                            \
      IDGATE_ABI_MAJOR,                                                                            \
      IDGATE_ABI_MINOR,                                                                            \
      Kind,                                                                                        \
      Name,                                                                                        \
      idgate_sdk_aliases_,                                                                         \
      AuthMethod,                                                                                  \
      SigningAlgs,                                                                                 \
      &::idgate::sdk::detail::instanceNew<Class>,                                                  \
      Authenticate,                                                                                \
      &::idgate::sdk::detail::instanceDestroy<Class>,                                              \
      MapSubject,                                                                                  \
  };                                                                                               \
  }                                                                                                \
  extern "C" IDGATE_PLUGIN_EXPORT const idgate_plugin_descriptor* idgate_plugin_descriptor_v1(     \
      void) {                                                                                      \
    return &idgate_sdk_descriptor_;                                                                \
  }

/// Registers `Class` as this library's client authenticator and exports the entry point.
#define IDGATE_CLIENT_AUTHENTICATOR(Class, Name, AuthMethod, Aliases, SigningAlgs) \
  namespace {                                                                      \
  const char* const idgate_sdk_aliases_[] = Aliases;                               \
  const char* const idgate_sdk_algs_[] = SigningAlgs;                              \
  }                                                                                \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_CLIENT_AUTHENTICATOR, Class, Name, AuthMethod,  \
                       idgate_sdk_algs_, &::idgate::sdk::detail::authenticate, nullptr)

/// Registers `Class` (a SubjectMapper) as this library's subject mapper (ABI 1.2).
#define IDGATE_SUBJECT_MAPPER(Class, Name, Aliases)                                        \
  namespace {                                                                              \
  const char* const idgate_sdk_aliases_[] = Aliases;                                       \
  }                                                                                        \
  IDGATE_SDK_REGISTER_(IDGATE_KIND_SUBJECT_MAPPER, Class, Name, nullptr, nullptr, nullptr, \
                       &::idgate::sdk::detail::mapSubject)
