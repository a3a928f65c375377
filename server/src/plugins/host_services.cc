#include "plugins/host_services.h"

#include "plugins/subject_mapper.h"

#include <Poco/Logger.h>

#include "crypto/keys.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "keystore/alias.h"
#include "plugins/client_authenticator.h"
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

idgate_lookup_code clientLookupFn(idgate_host_context_host_ptr ctx, idgate_str id,
                                  idgate_bytes_sink sink, void* user) noexcept {
  try {
    std::string json;
    return deliver(self(ctx)->clientLookup(str(id), &json), json, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code secretVerifyFn(idgate_host_context_host_ptr ctx, idgate_str id,
                                  idgate_str secret) noexcept {
  try {
    return self(ctx)->clientSecretVerify(str(id), str(secret));
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code secretGetFn(idgate_host_context_host_ptr ctx, idgate_str id,
                               idgate_bytes_sink sink, void* user) noexcept {
  try {
    std::string secret;
    return deliver(self(ctx)->clientSecretGet(str(id), &secret), secret, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code certificateFn(idgate_host_context_host_ptr ctx, idgate_str alias,
                                 idgate_bytes_sink sink, void* user) noexcept {
  try {
    std::string der;
    return deliver(self(ctx)->keystoreCertificate(str(alias), &der), der, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_jti_code jtiFn(idgate_host_context_host_ptr ctx, idgate_str client_id, idgate_str jti,
                      int64_t exp) noexcept {
  try {
    return self(ctx)->jtiCheckAndInsert(str(client_id), str(jti), exp);
  } catch (...) {
    return IDGATE_JTI_ERROR;
  }
}

idgate_lookup_code propertyFn(idgate_host_context_host_ptr ctx, idgate_str name,
                              idgate_bytes_sink sink, void* user) noexcept {
  try {
    std::string value;
    return deliver(self(ctx)->globalProperty(str(name), &value), value, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

idgate_lookup_code jwksFn(idgate_host_context_host_ptr ctx, idgate_str uri, int32_t refresh,
                          idgate_bytes_sink sink, void* user) noexcept {
  try {
    std::string jwks;
    return deliver(self(ctx)->jwksFetch(str(uri), refresh != 0, &jwks), jwks, sink, user);
  } catch (...) {
    return IDGATE_LOOKUP_ERROR;
  }
}

void setClientIdFn(idgate_auth_result_host_ptr result, idgate_str id) noexcept {
  try {
    reinterpret_cast<AuthResultSink*>(result)->client_id = str(id);
  } catch (...) {
  }
}

void setReasonFn(idgate_auth_result_host_ptr result, idgate_str reason) noexcept {
  try {
    reinterpret_cast<AuthResultSink*>(result)->reason = str(reason).substr(0, 200);
  } catch (...) {
  }
}

SubjectSink* subjectOf(idgate_subject_host_ptr s) { return reinterpret_cast<SubjectSink*>(s); }

void subjectPrincipalFn(idgate_subject_host_ptr s, idgate_str v) noexcept {
  try {
    subjectOf(s)->principal = str(v);
    subjectOf(s)->principal_set = true;
  } catch (...) {
  }
}

void subjectUniqueFn(idgate_subject_host_ptr s, idgate_str v) noexcept {
  try {
    subjectOf(s)->unique_name = str(v);
    subjectOf(s)->unique_set = true;
  } catch (...) {
  }
}

void subjectRealmFn(idgate_subject_host_ptr s, idgate_str v) noexcept {
  try {
    subjectOf(s)->realm = str(v);
    subjectOf(s)->realm_set = true;
  } catch (...) {
  }
}

void subjectGroupsFn(idgate_subject_host_ptr s, const idgate_str* groups, size_t n) noexcept {
  try {
    std::vector<std::string> out;
    for (size_t i = 0; i < n && groups != nullptr; ++i) out.push_back(str(groups[i]));
    subjectOf(s)->groups = std::move(out);
    subjectOf(s)->groups_set = true;
  } catch (...) {
  }
}

void subjectReasonFn(idgate_subject_host_ptr s, idgate_str v) noexcept {
  try {
    subjectOf(s)->reason = str(v).substr(0, 200);
  } catch (...) {
  }
}

}  // namespace

PluginHostContext::PluginHostContext(HostServices& services, const idgate_host_api& table,
                                     std::string plugin, std::string listener)
    : services_(services), api_(table) {
  api_.context = reinterpret_cast<idgate_host_context_host_ptr>(this);
  logger_ = plugin.empty() ? "idgate.plugin" : "idgate.plugin." + plugin;
  if (!listener.empty() && listener != plugin) logger_ += "(" + listener + ")";
}

std::shared_ptr<PluginHostContext> HostServices::contextFor(const std::string& plugin,
                                                            const std::string& listener) {
  return std::make_shared<PluginHostContext>(*this, api_, plugin, listener);
}

HostServices::HostServices(ClientStore& clients, JtiStore& jtis, const Clock& clock,
                           std::function<std::shared_ptr<const Keystore>()> keystore,
                           std::shared_ptr<const crypto::SecretBox> secret_box,
                           std::map<std::string, std::string> global_properties, int64_t skew_s,
                           JwksFetcher* jwks, const ClientIdCollisions* collisions,
                           std::set<std::string> reserved_aliases)
    : clients_(clients),
      jtis_(jtis),
      clock_(clock),
      keystore_(std::move(keystore)),
      secret_box_(std::move(secret_box)),
      global_properties_(std::move(global_properties)),
      skew_s_(skew_s),
      jwks_(jwks),
      collisions_(collisions),
      reserved_aliases_(std::move(reserved_aliases)),
      dummy_secret_hash_(
          crypto::hashPassword(crypto::randomToken(32), crypto::kClientSecretIterations)) {
  api_ = idgate_host_api{};
  api_.struct_size = sizeof(api_);
  api_.log = logFn;
  api_.now_unix_ms = nowFn;
  api_.client_lookup = clientLookupFn;
  api_.client_secret_verify = secretVerifyFn;
  api_.client_secret_get = secretGetFn;
  api_.keystore_certificate = certificateFn;
  api_.jti_check_and_insert = jtiFn;
  api_.global_property = propertyFn;
  api_.auth_result_set_client_id = setClientIdFn;
  api_.auth_result_set_reason = setReasonFn;
  api_.jwks_fetch = jwksFn;
  api_.subject_set_principal = subjectPrincipalFn;
  api_.subject_set_unique_name = subjectUniqueFn;
  api_.subject_set_realm = subjectRealmFn;
  api_.subject_set_groups = subjectGroupsFn;
  api_.subject_set_reason = subjectReasonFn;
  shared_context_ = std::make_unique<PluginHostContext>(*this, api_, "", "");
}

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

idgate_lookup_code HostServices::clientSecretGet(const std::string& id, std::string* secret) {
  try {
    auto c = clients_.find(id);
    if (!c || !c->secret_sealed) return IDGATE_LOOKUP_NOT_FOUND;
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
                                                const std::string& jti, int64_t exp_unix_s) {
  if (JtiDeferral* deferral = JtiDeferral::current()) {
    // The request's response waits for the durable verdict, not this thread (jti_deferral.h).
    jtis_.checkAndInsertAsync(client_id, jti, exp_unix_s + skew_s_, clock_.nowSeconds(),
                              deferral->add());
    return IDGATE_JTI_FRESH;
  }
  try {
    auto r = jtis_.checkAndInsert(client_id, jti, exp_unix_s + skew_s_, clock_.nowSeconds());
    return r == JtiStore::Result::kFresh ? IDGATE_JTI_FRESH : IDGATE_JTI_REPLAYED;
  } catch (const StoreError& e) {
    Poco::Logger::get("idgate.store").error(e.what());
    return IDGATE_JTI_ERROR;
  }
}

idgate_lookup_code HostServices::globalProperty(const std::string& name, std::string* value) {
  auto it = global_properties_.find(name);
  if (it == global_properties_.end()) return IDGATE_LOOKUP_NOT_FOUND;
  *value = it->second;
  return IDGATE_LOOKUP_FOUND;
}

}  // namespace idgate
