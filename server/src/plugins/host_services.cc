#include "plugins/host_services.h"

#include <Poco/Logger.h>

#include "common/json_writer.h"
#include "crypto/keys.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "keystore/alias.h"
#include "plugins/result_sink.h"
#include "store/jti_deferral.h"
#include "store/store_error.h"

namespace idgate {
namespace {

std::string str(idgate_str s) {
  return s.data == nullptr ? std::string() : std::string(s.data, s.len);
}
PluginHostContext* context(idgate_host_context_host_ptr ctx) {
  return reinterpret_cast<PluginHostContext*>(ctx);
}

HostServices* self(idgate_host_context_host_ptr ctx) { return &context(ctx)->services(); }

idgate_lookup_code deliver(idgate_lookup_code rc, const std::string& value, idgate_bytes_sink sink,
                           void* user) {
  if (rc == IDGATE_LOOKUP_FOUND && sink != nullptr) sink(user, {value.data(), value.size()});
  return rc;
}

// The C trampolines. None lets an exception cross into the plugin.
void logFn(idgate_host_context_host_ptr ctx, idgate_log_level level, idgate_str message) noexcept {
  try {
    Poco::Logger& log = Poco::Logger::get(context(ctx)->logger());
    std::string m = str(message);
    switch (level) {
      case IDGATE_LOG_DEBUG:
        log.debug(m);
        break;
      case IDGATE_LOG_INFO:
        log.information(m);
        break;
      case IDGATE_LOG_WARNING:
        log.warning(m);
        break;
      default:
        log.error(m);
        break;
    }
  } catch (...) {
  }
}

int64_t nowFn(idgate_host_context_host_ptr ctx) noexcept { return self(ctx)->nowMillis(); }

idgate_lookup_code propertyFn(idgate_host_context_host_ptr ctx, idgate_str name,
                              idgate_bytes_sink sink, void* user) noexcept {
  try {
    std::string value;
    return deliver(context(ctx)->globalProperty(str(name), &value), value, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code clientLookupFn(idgate_host_context_host_ptr ctx, idgate_str id,
                                  idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_CLIENT_READ, "client_lookup")) return IDGATE_LOOKUP_ERROR;
    std::string json;
    return deliver(self(ctx)->clientLookup(str(id), &json), json, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code secretVerifyFn(idgate_host_context_host_ptr ctx, idgate_str id,
                                  idgate_str secret) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_CLIENT_SECRET_VERIFY, "client_secret_verify"))
      return IDGATE_LOOKUP_ERROR;
    return self(ctx)->clientSecretVerify(str(id), str(secret));
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code secretGetFn(idgate_host_context_host_ptr ctx, idgate_str id,
                               idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_CLIENT_SECRET_READ, "client_secret_get"))
      return IDGATE_LOOKUP_ERROR;
    const PluginHostContext::Identity& who = context(ctx)->identity();
    // Only a client authenticator has clients of its own (its method): any other kind reads
    // no client's secret, whatever it declared.
    if (who.auth_method.empty()) return IDGATE_LOOKUP_NOT_FOUND;
    std::string secret;
    idgate_lookup_code rc =
        self(ctx)->clientSecretGet(str(id), &secret, context(ctx)->identity().auth_method);
    return deliver(rc, secret, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code certificateFn(idgate_host_context_host_ptr ctx, idgate_str alias,
                                 idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_KEYSTORE_READ, "keystore_certificate"))
      return IDGATE_LOOKUP_ERROR;
    std::string der;
    return deliver(self(ctx)->keystoreCertificate(str(alias), &der), der, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_jti_code jtiFn(idgate_host_context_host_ptr ctx, idgate_str scope, idgate_str jti,
                      int64_t exp) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_JTI_WRITE, "jti_check_and_insert"))
      return IDGATE_JTI_ERROR;
    return self(ctx)->jtiCheckAndInsert(str(scope), str(jti), exp, context(ctx)->skewSeconds());
  } catch (...) {
    return IDGATE_JTI_ERROR;
  }
}

idgate_lookup_code jwksFn(idgate_host_context_host_ptr ctx, idgate_str uri, int32_t refresh,
                          idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_URL_FETCH, "jwks_fetch")) return IDGATE_LOOKUP_ERROR;
    std::string jwks;
    return deliver(self(ctx)->jwksFetch(str(uri), refresh != 0, &jwks), jwks, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code userVerifyFn(idgate_host_context_host_ptr ctx, idgate_str username,
                                idgate_str password) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_USER_READ, "user_password_verify"))
      return IDGATE_LOOKUP_ERROR;
    return self(ctx)->userPasswordVerify(str(username), str(password));
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code userLookupFn(idgate_host_context_host_ptr ctx, idgate_str username,
                                idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_USER_READ, "user_lookup")) return IDGATE_LOOKUP_ERROR;
    std::string json;
    return deliver(self(ctx)->userLookup(str(username), &json), json, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code registryVerifyFn(idgate_host_context_host_ptr ctx, idgate_str username,
                                    idgate_str password) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_REGISTRY_READ, "registry_password_verify"))
      return IDGATE_LOOKUP_ERROR;
    return self(ctx)->registryPasswordVerify(str(username), str(password));
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code registryUserFn(idgate_host_context_host_ptr ctx, idgate_str username,
                                  idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_REGISTRY_READ, "registry_user"))
      return IDGATE_LOOKUP_ERROR;
    std::string json;
    return deliver(self(ctx)->registryUser(str(username), &json), json, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code accessTokenVerifyFn(idgate_host_context_host_ptr ctx, idgate_str token,
                                       idgate_bytes_sink sink, void* user) noexcept {
  try {
    if (!context(ctx)->permits(IDGATE_CAP_TOKEN_VERIFY, "access_token_verify"))
      return IDGATE_LOOKUP_ERROR;
    std::string json;
    return deliver(self(ctx)->accessTokenVerify(str(token), &json), json, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

const std::pair<uint64_t, const char*> kCapabilityNames[] = {
    {IDGATE_CAP_CLIENT_READ, "client_read"},
    {IDGATE_CAP_CLIENT_SECRET_VERIFY, "client_secret_verify"},
    {IDGATE_CAP_CLIENT_SECRET_READ, "client_secret_read"},
    {IDGATE_CAP_KEYSTORE_READ, "keystore_read"},
    {IDGATE_CAP_JTI_WRITE, "jti_write"},
    {IDGATE_CAP_URL_FETCH, "url_fetch"},
    {IDGATE_CAP_USER_READ, "user_read"},
    {IDGATE_CAP_REGISTRY_READ, "registry_read"},
    {IDGATE_CAP_TOKEN_VERIFY, "token_verify"},
};

constexpr uint64_t kAllCapabilities = (IDGATE_CAP_TOKEN_VERIFY << 1) - 1;

}  // namespace

std::vector<std::string> capabilityNames(uint64_t capabilities) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : kCapabilityNames) {
    if ((capabilities & bit) != 0) out.emplace_back(name);
  }
  if ((capabilities & ~kAllCapabilities) != 0) out.emplace_back("unknown");
  return out;
}

PluginHostContext::PluginHostContext(HostServices& services, Identity identity,
                                     std::shared_ptr<const GlobalProperties> globals)
    : services_(services), identity_(std::move(identity)), globals_(std::move(globals)) {
  auto handle = reinterpret_cast<idgate_host_context_host_ptr>(this);
  api_ = idgate_host_api{};
  api_.struct_size = sizeof(api_);
  api_.context = handle;
  api_.log = logFn;
  api_.now_unix_ms = nowFn;
  api_.global_property = propertyFn;
  api_.client_lookup = clientLookupFn;
  api_.client_secret_verify = secretVerifyFn;
  api_.client_secret_get = secretGetFn;
  api_.keystore_certificate = certificateFn;
  api_.jti_check_and_insert = jtiFn;
  api_.jwks_fetch = jwksFn;
  api_.user_password_verify = userVerifyFn;
  api_.user_lookup = userLookupFn;
  api_.registry_password_verify = registryVerifyFn;
  api_.registry_user = registryUserFn;
  api_.access_token_verify = accessTokenVerifyFn;

  v1_ = abi1::HostApi{};
  v1_.struct_size = sizeof(v1_);
  v1_.context = handle;
  v1_.log = logFn;
  v1_.now_unix_ms = nowFn;
  v1_.client_lookup = clientLookupFn;
  v1_.client_secret_verify = secretVerifyFn;
  v1_.client_secret_get = secretGetFn;
  v1_.keystore_certificate = certificateFn;
  v1_.jti_check_and_insert = jtiFn;
  v1_.global_property = propertyFn;
  v1_.jwks_fetch = jwksFn;
  fillV1ResultSetters(v1_);

  if (auto it = globals_->find("OAuth.TimestampSkew"); it != globals_->end()) {
    try {
      skew_s_ = std::stoll(it->second);
    } catch (...) {
    }
  }
  logger_ = identity_.plugin.empty() ? "idgate.plugin" : "idgate.plugin." + identity_.plugin;
  if (!identity_.listener.empty() && identity_.listener != identity_.plugin)
    logger_ += "(" + identity_.listener + ")";
}

bool PluginHostContext::permits(uint64_t capability, const char* call) {
  if ((identity_.capabilities & capability) != 0) return true;
  refused_.fetch_add(1, std::memory_order_relaxed);
  if ((refusal_logged_.fetch_or(capability) & capability) == 0) {
    std::string name = capabilityNames(capability).front();
    Poco::Logger::get(logger_).error(std::string(call) +
                                     " refused: the plugin did not declare the capability '" +
                                     name + "' (declared: " +
                                     [&] {
                                       std::string list;
                                       for (const auto& n : capabilityNames(identity_.capabilities))
                                         list += (list.empty() ? "" : ", ") + n;
                                       return list.empty() ? std::string("none") : list;
                                     }() +
                                     "); rebuild it declaring " + name +
                                     " in kCapabilities. Further refusals are counted in "
                                     "GET /api/admin/plugins, not logged");
  }
  return false;
}

idgate_lookup_code PluginHostContext::globalProperty(const std::string& name,
                                                     std::string* value) const {
  auto it = globals_->find(name);
  if (it == globals_->end()) return IDGATE_LOOKUP_NOT_FOUND;
  *value = it->second;
  return IDGATE_LOOKUP_FOUND;
}

std::shared_ptr<PluginHostContext> HostServices::contextFor(
    PluginHostContext::Identity identity, std::shared_ptr<const GlobalProperties> globals) {
  return std::make_shared<PluginHostContext>(*this, std::move(identity),
                                             globals ? std::move(globals) : globals_);
}

HostServices::HostServices(ClientStore& clients, JtiStore& jtis, const Clock& clock,
                           std::function<std::shared_ptr<const Keystore>()> keystore,
                           std::shared_ptr<const crypto::SecretBox> secret_box,
                           GlobalProperties global_properties, int64_t skew_s, JwksFetcher* jwks,
                           const ClientIdCollisions* collisions,
                           std::set<std::string> reserved_aliases, UserStore* users,
                           std::vector<RegistryUser> registry)
    : clients_(clients),
      jtis_(jtis),
      clock_(clock),
      keystore_(std::move(keystore)),
      secret_box_(std::move(secret_box)),
      globals_(std::make_shared<const GlobalProperties>(std::move(global_properties))),
      skew_s_(skew_s),
      jwks_(jwks),
      collisions_(collisions),
      reserved_aliases_(std::move(reserved_aliases)),
      users_(users),
      registry_(std::move(registry)),
      dummy_secret_hash_(
          crypto::hashPassword(crypto::randomToken(32), crypto::kClientSecretIterations)) {}

idgate_lookup_code HostServices::jwksFetch(const std::string& uri, bool refresh,
                                           std::string* jwks) {
  if (jwks_ == nullptr) return IDGATE_LOOKUP_ERROR;
  std::string error;
  auto body = jwks_->get(uri, refresh, &error);
  if (!body) return IDGATE_LOOKUP_ERROR;
  *jwks = std::move(*body);
  return IDGATE_LOOKUP_FOUND;
}

idgate_lookup_code HostServices::clientLookup(const std::string& id, std::string* json) {
  try {
    auto c = clients_.find(id);
    if (!c) return IDGATE_LOOKUP_NOT_FOUND;
    *json = c->metadata_json;
    return IDGATE_LOOKUP_FOUND;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code HostServices::clientSecretVerify(const std::string& id,
                                                    const std::string& secret) {
  try {
    auto c = clients_.find(id);
    if (!c || !c->secret_hash) {
      // As long as a real verification, so an unknown id cannot be told from a wrong secret.
      crypto::verifyPassword(secret, dummy_secret_hash_);
      return IDGATE_LOOKUP_NOT_FOUND;
    }
    return crypto::verifyPassword(secret, *c->secret_hash) ? IDGATE_LOOKUP_FOUND
                                                           : IDGATE_LOOKUP_NOT_FOUND;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code HostServices::clientSecretGet(const std::string& id, std::string* secret,
                                                 const std::string& method) {
  try {
    auto c = clients_.find(id);
    if (!c || !c->secret_sealed) return IDGATE_LOOKUP_NOT_FOUND;
    // A plugin reads the secrets of its own method's clients, nobody else's.
    if (!method.empty() && c->metadata().token_endpoint_auth_method != method)
      return IDGATE_LOOKUP_NOT_FOUND;
    auto opened = secret_box_->open(*c->secret_sealed, "client-secret:" + id);
    if (!opened) {
      Poco::Logger::get("idgate.store").error("sealed secret of a client does not open");
      return IDGATE_LOOKUP_ERROR;
    }
    *secret = std::move(*opened);
    return IDGATE_LOOKUP_FOUND;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code HostServices::keystoreCertificate(const std::string& alias, std::string* der) {
  if (collisions_ != nullptr && collisions_->blocks(alias)) {
    // Another client id differs from this one only in case: the alias would serve both.
    Poco::Logger::get("idgate.keystore")
        .warning("keystore certificate for '" + alias +
                 "' refused: another client id differs from it only in case (see the startup "
                 "warning); delete one of them");
    return IDGATE_LOOKUP_NOT_FOUND;
  }
  if (reserved_aliases_.count(asciiLower(alias)) != 0) {
    // idgate's own keys and the certificates its configuration trusts are nobody's client key.
    Poco::Logger::get("idgate.keystore")
        .warning("keystore entry '" + alias +
                 "' is used by the server's configuration and is not a client certificate");
    return IDGATE_LOOKUP_NOT_FOUND;
  }
  std::shared_ptr<const Keystore> ks = keystore_();
  const KeystoreEntry* e = ks ? ks->find(alias) : nullptr;
  if (e == nullptr || e->kind != KeystoreEntry::Kind::kTrustedCertificate || e->chain.empty()) {
    return IDGATE_LOOKUP_NOT_FOUND;
  }
  if (!certificateAliasFits(e->alias, alias)) {
    Poco::Logger::get("idgate.keystore")
        .warning("keystore certificate '" + e->alias + "' not used for client '" + alias +
                 "': the alias must be the client id or the client id in lower case (as "
                 "keytool writes it); re-import it under '" +
                 alias + "'");
    return IDGATE_LOOKUP_NOT_FOUND;
  }
  *der = crypto::certificateDer(e->chain.front().get());
  return IDGATE_LOOKUP_FOUND;
}

idgate_jti_code HostServices::jtiCheckAndInsert(const std::string& client_id,
                                                const std::string& jti, int64_t exp_unix_s,
                                                int64_t skew_s) {
  if (skew_s < 0) skew_s = skew_s_;
  // The table's key column holds 255 characters: a longer scope is refused, not cut.
  if (client_id.empty() || client_id.size() > 255 || jti.empty() || jti.size() > 255)
    return IDGATE_JTI_ERROR;
  if (JtiDeferral* deferral = JtiDeferral::current()) {
    // The request's response waits for the durable verdict, not this thread (jti_deferral.h).
    jtis_.checkAndInsertAsync(client_id, jti, exp_unix_s + skew_s, clock_.nowSeconds(),
                              deferral->add(client_id.rfind("grant:", 0) == 0));
    return IDGATE_JTI_FRESH;
  }
  try {
    auto r = jtis_.checkAndInsert(client_id, jti, exp_unix_s + skew_s, clock_.nowSeconds());
    return r == JtiStore::Result::kFresh ? IDGATE_JTI_FRESH : IDGATE_JTI_REPLAYED;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_JTI_ERROR;
  }
}

const std::string& HostServices::dummyUserHash() {
  std::call_once(dummy_user_once_, [this] {
    dummy_user_hash_ =
        crypto::hashPassword(crypto::randomToken(32), crypto::kUserPasswordIterations);
  });
  return dummy_user_hash_;
}

idgate_lookup_code HostServices::userPasswordVerify(const std::string& username,
                                                    const std::string& password) {
  if (users_ == nullptr) return IDGATE_LOOKUP_ERROR;
  try {
    auto u = users_->find(username);
    if (!u) {
      // As long as a real verification, so an unknown user cannot be told from a wrong password.
      crypto::verifyPassword(password, dummyUserHash());
      return IDGATE_LOOKUP_NOT_FOUND;
    }
    // A disabled user is checked as long as any other, and never matches.
    bool matches = crypto::verifyPassword(password, u->password_hash);
    return matches && !u->disabled ? IDGATE_LOOKUP_FOUND : IDGATE_LOOKUP_NOT_FOUND;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code HostServices::userLookup(const std::string& username, std::string* json) {
  if (users_ == nullptr) return IDGATE_LOOKUP_ERROR;
  try {
    auto u = users_->find(username);
    if (!u) return IDGATE_LOOKUP_NOT_FOUND;
    *json = "{\"username\":" + jsonQuote(u->username) + ",\"subject\":" + jsonQuote(u->subject) +
            ",\"claims\":" + u->claims_json + (u->disabled ? ",\"disabled\":true}" : "}");
    return IDGATE_LOOKUP_FOUND;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code HostServices::registryPasswordVerify(const std::string& username,
                                                        const std::string& password) {
  for (const auto& u : registry_) {
    if (u.name != username) continue;
    // A plain or {xor} password compares in microseconds: spend a hash's time anyway, so the
    // timing tells neither whether the user exists nor how its password is written.
    if (!crypto::isPasswordHash(u.password)) crypto::verifyPassword(password, dummyUserHash());
    return registryPasswordMatches(u, password) ? IDGATE_LOOKUP_FOUND : IDGATE_LOOKUP_NOT_FOUND;
  }
  // As long as a hashed user's check, so an unknown name cannot be told by its timing.
  crypto::verifyPassword(password, dummyUserHash());
  return IDGATE_LOOKUP_NOT_FOUND;
}

idgate_lookup_code HostServices::registryUser(const std::string& username, std::string* json) {
  for (const auto& u : registry_) {
    if (u.name != username) continue;
    std::vector<std::string> groups;
    for (const auto& g : u.groups) groups.push_back(jsonQuote(g));
    *json = "{\"username\":" + jsonQuote(u.name) + ",\"groups\":" + jsonArray(groups) + "}";
    return IDGATE_LOOKUP_FOUND;
  }
  return IDGATE_LOOKUP_NOT_FOUND;
}

idgate_lookup_code HostServices::accessTokenVerify(const std::string& token,
                                                   std::string* claims_json) {
  if (!access_token_verifier_) return IDGATE_LOOKUP_ERROR;
  return access_token_verifier_(token, claims_json);
}

}  // namespace idgate
