#include "app/runtime.h"

#include <Poco/Data/Session.h>

#include "app/runtime_key_resolver.h"

#include <Poco/Logger.h>
#include <idgate/jose/jws.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/metrics.h"
#include "config/config_error.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "keystore/alias.h"
#include "oauth/authorization_code_grant.h"
#include "oauth/plugin_grant.h"
#include "oauth/refresh_token_grant.h"
#include "resource/request_origin.h"
#include "store/caching_client_store.h"
#include "store/store_error.h"

namespace idgate {
namespace {

std::shared_ptr<const Keystore> openKeystore(const ServerConfig& c) {
  try {
    return std::make_shared<const Keystore>(Keystore::load(
        c.keystore.location, c.keystore.type, c.keystore.password, c.keystore.key_password));
  } catch (const KeystoreError& e) {
    throw ConfigError(c.file + ": element <Server/Security/KeyStore>: " + c.keystore.location +
                      ": " + e.what());
  }
}

}  // namespace

Runtime::Runtime(const std::string& home, ServerConfig config, const std::string& issuer,
                 const std::vector<std::string>& listener_urls)
    : home_(home), config_(std::move(config)), listener_urls_(listener_urls) {
  identity_ = loadIdentityConfig(config_.conf_dir + "/identity.xml");
  keystore_ = openKeystore(config_);

  box_ = std::make_shared<const crypto::SecretBox>(secretBoxKey());
  if (config_.truststore) {
    try {
      truststore_ = std::make_shared<const Keystore>(
          Keystore::load(config_.truststore->location, config_.truststore->type,
                         config_.truststore->password, ""));
    } catch (const KeystoreError& e) {
      throw ConfigError(config_.file + ": element <Server/Security/TrustStore>: " +
                        config_.truststore->location + ": " + e.what());
    }
  }

  try {
    keys_ = std::make_unique<SigningKeys>(*keystore_, config_.keystore.key_alias,
                                          config_.keystore.retired);
  } catch (const KeystoreError& e) {
    throw ConfigError(config_.file + ": element <Server/Security/KeyStore/KeyAlias>: " + e.what());
  }

  try {
    db_ = std::make_unique<Database>(config_.database);
  } catch (const StoreError& e) {
    throw ConfigError(config_.file + ": element <Server/Database>: " + e.what());
  }
  clients_ = std::make_unique<CachingClientStore>(makeSqlClientStore(*db_), clock_,
                                                  config_.client_cache_s);
  checkClientIdCase();
  jtis_ = makeSqlJtiStore(*db_, config_.jti_commit_window_us);
  users_ = makeSqlUserStore(*db_);
  codes_ = makeSqlAuthorizationCodeStore(*db_);
  login_sessions_ = makeSqlLoginSessionStore(*db_);
  pending_ = makeSqlPendingRequestStore(*db_);
  consents_ = makeSqlConsentStore(*db_);
  revoked_ = std::make_unique<RevocationList>(makeSqlRevokedTokenStore(*db_),
                                              identity_.revocation.propagation_s);
  refresh_tokens_ = makeSqlRefreshTokenStore(*db_);
  std::vector<JtiPurger::ExtraPurge> purges = {
      {"authorization codes", [this](int64_t now) { return codes_->purge(now); }},
      {"sign-in sessions", [this](int64_t now) { return login_sessions_->purge(now); }},
      {"pending authorization requests", [this](int64_t now) { return pending_->purge(now); }},
      {"revoked token entries", [this](int64_t now) { return revoked_->purge(now); }},
      {"refresh token families", [this](int64_t now) { return refresh_tokens_->purge(now); }}};
  purger_ =
      std::make_unique<JtiPurger>(*jtis_, clock_, config_.jti_purge_interval_s,
                                  static_cast<int>(config_.jti_purge_batch), std::move(purges));
  jwks_ = std::make_unique<JwksFetcher>(config_.jwks_fetch, clock_, makeSystemJwksTransport());

  settings_.issuer = issuer;
  settings_.access_token_lifetime_s = config_.access_token_lifetime_s;
  settings_.id_token_lifetime_s = identity_.login.id_token_lifetime_s;

  // From here on the keystore is live: reloaded when the file changes, updated by the admin API.
  keystore_holder_ = std::make_unique<KeystoreHolder>(config_.keystore, keystore_);
  // The signing keys follow the keystore: a rotation, or keytool changing the file.
  keystore_holder_->setOnChange([this](const Keystore& ks) {
    try {
      keys_->reload(ks);
    } catch (const KeystoreError& e) {
      Poco::Logger::get("idgate.keystore")
          .error(std::string("the signing keys are kept as they were: ") + e.what());
    }
  });
  if (config_.keystore.reload_interval_ms > 0)
    keystore_holder_->startWatching(config_.keystore.reload_interval_ms);
  KeystoreHolder* holder = keystore_holder_.get();
  const std::set<std::string> reserved = reservedAliases();
  host_ = std::make_unique<HostServices>(
      *clients_, *jtis_, clock_, [holder] { return holder->current(); }, box_,
      globalProperties(identity_), identity_.timestamp_skew_s, jwks_.get(), &collisions_, reserved,
      users_.get(), config_.resource.registry);
  // Before any plugin loads: access_token_verify must be ready for their first call.
  own_tokens_ = std::make_unique<OwnTokenVerifier>(*keys_, settings_.issuer);
  host_->setAccessTokenVerifier([this](const std::string& token, std::string* claims_json) {
    std::string why;
    auto claims = own_tokens_->verify(token, {"at+jwt", false, identity_.timestamp_skew_s},
                                      clock_.nowSeconds(), &why);
    if (!claims) return IDGATE_LOOKUP_NOT_FOUND;
    try {
      auto jti = claims->getString("jti");
      if (jti && revoked_->isRevoked(*jti)) return IDGATE_LOOKUP_NOT_FOUND;
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.store").error(std::string("access_token_verify: ") + e.what());
      return IDGATE_LOOKUP_ERROR;
    }
    *claims_json = jose::toJsonText(*claims);
    return IDGATE_LOOKUP_FOUND;
  });
  plugins_ = std::make_unique<PluginManager>(
      config_.dropins_dir, *host_, clock_,
      [this](const IdentityConfig& identity) { return globalProperties(identity); });
  plugins_->loadAll(identity_);
  {
    // Each active plugin instance's calls, read at scrape time (the current generation's).
    PluginManager* manager = plugins_.get();
    metrics_collector_ = Metrics::get().addCollector([manager](std::string& out) {
      const std::shared_ptr<const PluginSet> set = manager->current();
      auto family = [&](const char* name, const char* help, auto value) {
        metricFamilyHeader(out, name, help, "counter");
        for (const auto& s : set->statuses) {
          if (!s.instance) continue;
          out += std::string(name) + "{plugin=\"" + metricLabelValue(s.name()) + "\",file=\"" +
                 metricLabelValue(s.file) + "\"} " + value(*s.instance) + "\n";
        }
      };
      family("idgate_plugin_calls_total", "Calls the host made into each plugin instance",
             [](const PluginInstance& p) { return std::to_string(p.callStats().calls); });
      family("idgate_plugin_call_failures_total",
             "Calls that failed (an exception, a code outside the ABI, a server error)",
             [](const PluginInstance& p) { return std::to_string(p.callStats().failures); });
      family("idgate_plugin_call_seconds_total", "Time spent inside each plugin instance",
             [](const PluginInstance& p) {
               return std::to_string(static_cast<double>(p.callStats().total_us) / 1e6);
             });
      family("idgate_plugin_refused_host_calls_total",
             "Host services refused because the plugin did not declare the capability",
             [](const PluginInstance& p) { return std::to_string(p.refusedCalls()); });
    });
    // The replay table's size (the dashboard's "JTI table"): counted at most every 15 s, since
    // a scrape should not scan a large table each time; a failed count is left out.
    Database* db = db_.get();
    const Clock* clock = &clock_;
    jti_collector_ = Metrics::get().addCollector(
        [db, clock, cache = std::make_shared<std::pair<int64_t, int64_t>>(-1, 0),
         mu = std::make_shared<std::mutex>()](std::string& out) {
          std::lock_guard<std::mutex> lock(*mu);
          const int64_t now = clock->nowSeconds();
          if (cache->first < 0 || now - cache->second >= 15) {
            try {
              Poco::Data::Session s = db->session();
              Poco::Int64 rows = 0;
              s << "SELECT COUNT(*) FROM IDN_OIDC_JTI", Poco::Data::Keywords::into(rows),
                  Poco::Data::Keywords::now;
              *cache = {rows, now};
            } catch (const std::exception& e) {
              Poco::Logger::get("idgate.store")
                  .warning(std::string("JTI count failed: ") + e.what());
              return;
            }
          }
          metricFamilyHeader(out, "idgate_jti_entries",
                             "Rows in the replay (JTI) table, counted at most every 15 s", "gauge");
          out += "idgate_jti_entries " + std::to_string(cache->first) + "\n";
        });
  }

  PluginManager* pm = plugins_.get();
  chain_ = std::make_unique<ClientAuthenticationChain>([pm] { return pm->current(); }, *clients_);
  token_ = std::make_unique<TokenEndpoint>(
      *chain_, *keys_, settings_, clock_,
      [pm] {
        std::vector<std::shared_ptr<const GrantHandler>> out;
        const std::shared_ptr<const PluginSet> set = pm->current();
        for (const auto& g : set->grant_handlers) out.push_back(std::make_shared<PluginGrant>(g));
        return out;
      },
      [pm] { return pm->current()->customizers; },
      std::vector<std::shared_ptr<const GrantHandler>>{
          std::make_shared<AuthorizationCodeGrant>(*codes_, *login_sessions_, *revoked_, clock_,
                                                   config_.access_token_lifetime_s),
          std::make_shared<RefreshTokenGrant>(*refresh_tokens_, *revoked_, identity_.refresh,
                                              clock_)});
  token_->setRefreshTokens(refresh_tokens_.get(), &identity_.refresh);
  dpop_ =
      std::make_unique<DpopProofVerifier>(identity_.dpop, identity_.timestamp_skew_s, *jtis_, box_);
  token_->setDpop(dpop_.get());
  TokenEndpoint* token = token_.get();
  RegistrationCatalog catalog{
      [pm](const std::string& method) -> std::optional<MethodInfo> {
        const std::shared_ptr<const PluginSet> set = pm->current();  // keeps `d` alive
        const PluginDescriptor* d = set->method(method);
        if (d == nullptr) return std::nullopt;
        return MethodInfo{d->signing_algs,
                          d->secret_form == IDGATE_SECRET_HASHED   ? SecretForm::kHash
                          : d->secret_form == IDGATE_SECRET_SEALED ? SecretForm::kSealed
                                                                   : SecretForm::kNone};
      },
      [pm] { return pm->current()->defaultMethod(); }, [token] { return token->grantTypes(); }};
  registry_ =
      std::make_unique<ClientRegistry>(*clients_, clock_, box_, std::move(catalog), &collisions_);
  registry_->setReservedAliases(reserved);
  // A disabled or deleted user's sign-in sessions end (and with them their unused codes and
  // the userinfo of their tokens); a deleted user's remembered consent goes too.
  user_registry_ = std::make_unique<UserRegistry>(
      *users_, clock_, [this](const std::string& subject, bool deleted) {
        int64_t n = login_sessions_->removeForSubject(subject);
        if (deleted) consents_->removeForSubject(subject);
        if (n > 0) {
          Poco::Logger::get("idgate.login")
              .information("ended " + std::to_string(n) + " sign-in sessions of " + subject);
        }
      });
  user_auth_ = std::make_unique<UserAuthentication>([pm] { return pm->current(); });
  setUpLogin();
  registry_->setBeforeDelete([this](const std::string& id) { return deleteClientCertificate(id); });
  registry_->setOnCaseCollisionsResolved([this] {
    try {
      createCaseInsensitiveClientIdIndex(*db_);
      Poco::Logger::get("idgate.store")
          .information(
              "no client ids differ only in case any more: the database now refuses such pairs");
    } catch (const StoreError& e) {
      Poco::Logger::get("idgate.store").error(e.what());
    }
  });
  admin_ = std::make_unique<AdminAuth>(config_.admin_username, config_.admin_password_hash, clock_);
  console_sessions_ = std::make_unique<ConsoleSessions>(clock_, config_.console_idle_timeout_s);
  setUpResourceServer();
}

void Runtime::setUpLogin() {
  const std::string templates = config_.conf_dir + "/templates";
  pages_ = std::make_unique<PageTemplates>(templates);
  login_cookie_ = std::make_unique<LoginCookie>(box_);
  login_throttle_ = std::make_unique<LoginThrottle>(clock_, identity_.login.free_failures,
                                                    identity_.login.max_delay_s);
  lifecycle_ =
      std::make_unique<TokenLifecycle>(*chain_, *refresh_tokens_, *revoked_, *own_tokens_, *keys_,
                                       settings_.issuer, clock_, identity_.timestamp_skew_s);
  login_ = std::make_unique<LoginContext>(
      LoginContext{settings_.issuer, identity_.login, identity_.timestamp_skew_s, clock_, *clients_,
                   *login_sessions_, *pending_, *consents_, *codes_, *revoked_, *user_auth_,
                   *chain_, *own_tokens_, *pages_, *login_cookie_, *login_throttle_, *dpop_});
  login_flow_ = std::make_unique<LoginFlow>(*login_);
  par_ = std::make_unique<ParEndpoint>(*login_);
  logout_ = std::make_unique<LogoutEndpoint>(*login_);
  userinfo_ = std::make_unique<UserinfoEndpoint>(*login_);
}

std::set<std::string> Runtime::reservedAliases() const {
  std::set<std::string> out = {asciiLower(config_.keystore.key_alias), asciiLower(kSecretKeyAlias)};
  for (const auto& r : config_.keystore.retired) out.insert(asciiLower(r.alias));
  for (const auto& l : config_.listeners) {
    if (!l.key_alias.empty()) out.insert(asciiLower(l.key_alias));
  }
  for (const auto& c : config_.resource.clients) {
    if (!c.trust_alias_name.empty()) out.insert(asciiLower(c.trust_alias_name));
    if (!c.key_management_key_alias.empty()) out.insert(asciiLower(c.key_management_key_alias));
  }
  return out;
}

std::string Runtime::rotateSigningKey(SigningKeyRotation* out) {
  const std::string& alias = config_.keystore.key_alias;
  const int64_t now = clock_.nowSeconds();
  // Published for as long as any token the old key signed may still be presented.
  const int64_t until =
      now + std::max(config_.access_token_lifetime_s, identity_.login.id_token_lifetime_s) +
      identity_.timestamp_skew_s;
  // A listener serving the signing key's certificate would serve the new key's self-signed one
  // after the next restart: it needs a key of its own first.
  for (const auto& l : config_.listeners) {
    const std::string& tls_alias = l.key_alias.empty() ? alias : l.key_alias;
    if (l.scheme == ListenerConfig::Scheme::kHttps && asciiLower(tls_alias) == asciiLower(alias)) {
      return "the HTTPS listener on port " + std::to_string(l.port) +
             " serves the signing key's certificate (KeyAlias '" + alias +
             "'): give it a key of its own (<Listener keyAlias>) before rotating the signing key";
    }
  }
  try {
    std::string refused = keystore_holder_->update([&](Keystore& ks) -> std::string {
      // Retired keys past their time go first (entries move when one is removed).
      std::vector<std::string> expired;
      for (const auto& e : ks.entries()) {
        int64_t t = SigningKeys::retiredUntil(alias, e.alias);
        if (t >= 0 && t <= now) expired.push_back(e.alias);
      }
      for (const auto& a : expired) ks.remove(a);
      const KeystoreEntry* found = ks.find(alias);
      if (found == nullptr || found->kind != KeystoreEntry::Kind::kPrivateKey || !found->key) {
        return "the keystore has no private key under KeyAlias '" + alias + "'";
      }
      KeystoreEntry retired = *found;  // a copy: `found` is not used after the puts below
      if (crypto::signingAlgorithmFor(retired.key.get()).value_or("") != "ES256") {
        return "only an ES256 (EC P-256) signing key is rotated here; rotate a key of another "
               "type with a keytool (docs/guides/keystore.md, \"Rotating the signing key\")";
      }
      KeystoreEntry next;
      next.kind = KeystoreEntry::Kind::kPrivateKey;
      next.alias = retired.alias;
      next.key = crypto::generateEcP256();
      next.chain.push_back(crypto::selfSignedCertificate(next.key.get(), "idgate", 825));
      retired.alias = SigningKeys::retiredAlias(alias, until);
      if (ks.find(retired.alias) != nullptr)
        return "a rotation just happened; try again in a second";
      ks.put(retired);
      ks.put(next);
      // Nothing is saved unless the signing keys can be built from the result (a <RetiredKey>
      // of server.xml gone from the keystore would otherwise leave the old key signing).
      if (std::string why = keys_->check(ks); !why.empty()) {
        return "the signing keys cannot be built after the rotation (" + why + "); nothing changed";
      }
      out->retired_alias = retired.alias;
      out->removed_aliases = expired;
      return {};
    });
    if (!refused.empty()) return refused;
  } catch (const KeystoreError& e) {
    return std::string("keystore not saved: ") + e.what();
  }
  out->publish_until = until;
  out->kid = keys_->signer()->kid();
  Poco::Logger::get("idgate.keystore")
      .information("rotated the signing key: new kid " + out->kid +
                   ", the previous key published "
                   "as " +
                   out->retired_alias + " until " + std::to_string(until));
  return {};
}

std::string Runtime::deleteClientCertificate(const std::string& client_id) {
  // Only an alias that is the client's own (the id, or the id in lower case); for an id of a
  // legacy case pair only the exact id, since the lower-case alias may be the other one's.
  const bool paired = collisions_.blocks(client_id);
  std::string removed;
  try {
    std::string refused = keystore_holder_->update([&](Keystore& ks) -> std::string {
      const KeystoreEntry* e = ks.find(client_id);
      if (e == nullptr || e->kind != KeystoreEntry::Kind::kTrustedCertificate) return "unchanged";
      if (paired ? e->alias != client_id : !certificateAliasFits(e->alias, client_id)) {
        return "unchanged";
      }
      removed = e->alias;
      ks.remove(removed);
      return {};
    });
    if (!refused.empty() && refused != "unchanged") {
      return "client not deleted: its keystore certificate could not be removed: " + refused;
    }
  } catch (const KeystoreError& e) {
    return std::string("client not deleted: its keystore certificate could not be removed: ") +
           e.what();
  }
  if (!removed.empty()) {
    Poco::Logger::get("idgate.admin")
        .information("deleted keystore certificate '" + removed + "' with client " + client_id);
  }
  return {};
}

void Runtime::checkClientIdCase() {
  try {
    std::vector<std::string> pairs = collisions_.refresh(*clients_);
    if (pairs.empty()) {
      createCaseInsensitiveClientIdIndex(*db_);
      return;
    }
    std::string list;
    for (const auto& id : pairs) list += (list.empty() ? "'" : ", '") + id + "'";
    Poco::Logger::get("idgate.store")
        .warning("client ids that differ only in case: " + list +
                 ". Keystore aliases are matched without case, so certificates in the keystore "
                 "are refused for all of them until one of each pair is deleted "
                 "(DELETE /api/admin/clients/{id})");
  } catch (const StoreError& e) {
    throw ConfigError(config_.file + ": element <Server/Database>: " + e.what());
  }
}

void Runtime::setUpResourceServer() {
  for (auto& c : config_.resource.clients) {
    std::string where =
        config_.file + ": element <Server/openidConnectClient id=\"" + c.id + "\"> attribute ";
    bool hmac = jose::isHmacAlgorithm(c.signature_algorithm);
    c.own_issuer =
        std::find(c.issuers.begin(), c.issuers.end(), settings_.issuer) != c.issuers.end();
    if (c.inbound == OidcClientConfig::Propagation::kNone) continue;
    if (!c.key_management_key_alias.empty()) {
      const KeystoreEntry* e = keystore_->find(c.key_management_key_alias);
      if (e == nullptr || e->kind != KeystoreEntry::Kind::kPrivateKey) {
        throw ConfigError(where + "'keyManagementKeyAlias': no private key entry '" +
                          c.key_management_key_alias + "' in the KeyStore");
      }
      int type = EVP_PKEY_get_base_id(e->key.get());
      if (!(type == EVP_PKEY_RSA && EVP_PKEY_get_bits(e->key.get()) >= 2048) &&
          type != EVP_PKEY_EC) {
        throw ConfigError(where + "'keyManagementKeyAlias': '" + c.key_management_key_alias +
                          "' must be an RSA key of at least 2048 bits or an EC key");
      }
    }
    if (hmac) {
      if (c.client_secret.empty()) {
        throw ConfigError(where + "'clientSecret': required for " + c.signature_algorithm);
      }
      continue;
    }
    if (!c.trust_alias_name.empty()) {
      auto store = c.trust_store_ref == "TrustStore" ? truststore_ : keystore_;
      const KeystoreEntry* e = store->find(c.trust_alias_name);
      if (e == nullptr || e->chain.empty()) {
        throw ConfigError(where + "'trustAliasName': no certificate under alias '" +
                          c.trust_alias_name + "' in the " + c.trust_store_ref);
      }
    } else if (c.jwk_endpoint_url.empty() && !c.own_issuer) {
      throw ConfigError(where +
                        "'jwkEndpointUrl': no key source: set jwkEndpointUrl, or trustStoreRef "
                        "and trustAliasName, or trust idgate's own issuer (" +
                        settings_.issuer + ")");
    }
    if (c.usesOwnKeys() && c.signature_algorithm != keys_->signer()->alg()) {
      throw ConfigError(where + "'signatureAlgorithm': idgate signs with " +
                        keys_->signer()->alg() + ", not " + c.signature_algorithm);
    }
  }
  key_resolver_ = makeRuntimeKeyResolver(*this);
  validator_ =
      std::make_unique<TokenValidator>(*key_resolver_, jtis_.get(), config_.resource.registry);
  sessions_ = std::make_unique<SessionCookies>(box_);
  guard_ = std::make_unique<ResourceGuard>(
      config_.resource, *validator_, clock_, sessions_.get(),
      AudienceOrigins::from(settings_.issuer, listener_urls_, config_.public_urls));
  guard_->setRevocations(revoked_.get(), settings_.issuer);
  guard_->setDpop(dpop_.get());
  {
    // Always installed: a reload may add a mapper. With none, the subject passes as built.
    PluginManager* pm = plugins_.get();
    guard_->setSubjectMapping([pm](Subject& subject, std::string* reason) {
      const std::shared_ptr<const PluginSet> set = pm->current();
      for (const auto& m : set->mappers) {
        MapResult r = m->map(subject);
        if (r.code == IDGATE_MAP_DENIED) {
          *reason = r.reason;
          return GuardResult::Kind::kForbidden;
        }
        if (r.code != IDGATE_MAP_UNCHANGED && r.code != IDGATE_MAP_MAPPED) {
          *reason = r.reason;
          return GuardResult::Kind::kServerError;
        }
      }
      return GuardResult::Kind::kAuthenticated;
    });
  }
  if (!config_.resource.routes.empty()) {
    gateway_ =
        std::make_unique<Gateway>(config_.resource.routes, *guard_, config_.max_request_bytes);
  }
}

Runtime::~Runtime() {
  Metrics::get().removeCollector(metrics_collector_);
  Metrics::get().removeCollector(jti_collector_);
  // Plugins first: a plugin may call the host (access_token_verify uses own_tokens_ and keys_)
  // until it is unloaded, and those are destroyed before the plugin manager would be.
  plugins_.reset();
  // The keystore watcher calls into keys_ (its change hook): it stops before keys_ goes.
  keystore_holder_.reset();
}

GlobalProperties Runtime::globalProperties(const IdentityConfig& identity) const {
  GlobalProperties globals = identity.globalProperties();
  globals["Server.Issuer"] = settings_.issuer;
  // Every URL the token endpoint is served at (legacy client assertion audiences).
  std::string endpoints;
  std::vector<std::string> bases = {settings_.issuer};
  bases.insert(bases.end(), listener_urls_.begin(), listener_urls_.end());
  for (const auto& base : bases) {
    for (const char* path : {"/oauth2/token", "/o/oauth2/token"}) {
      std::string url = base + path;
      if (endpoints.find(url + " ") == std::string::npos) endpoints += url + " ";
    }
  }
  globals["Server.TokenEndpoints"] = endpoints.substr(0, endpoints.size() - 1);
  return globals;
}

PluginManager::ReloadResult Runtime::reloadPlugins() {
  return plugins_->reload(
      [this] { return loadIdentityConfig(config_.conf_dir + "/identity.xml"); });
}

std::string Runtime::secretBoxKey() {
  // The key that seals client secrets is a secret key entry. PKCS12 keystores hold it
  // themselves (added on first start); JKS cannot hold secret keys, so a JKS keystore gets a
  // PKCS12 companion file next to it, protected by the same password.
  const StoreFileConfig& ks = config_.keystore;
  std::string where = config_.file + ": element <Server/Security/KeyStore>: ";
  if (const KeystoreEntry* e = keystore_->find(kSecretKeyAlias)) {
    if (e->kind != KeystoreEntry::Kind::kSecret || e->secret.size() != 32) {
      throw ConfigError(where + "entry '" + std::string(kSecretKeyAlias) +
                        "' must be a 32-byte secret key");
    }
    return e->secret;
  }
  bool jks = keystore_->format() == Keystore::Format::kJks;
  std::string path = jks ? ks.location + ".secrets.p12" : ks.location;
  if (jks && std::filesystem::exists(path)) {
    try {
      Keystore side = Keystore::load(path, "PKCS12", ks.password, ks.password);
      const KeystoreEntry* e = side.find(kSecretKeyAlias);
      if (e != nullptr && e->kind == KeystoreEntry::Kind::kSecret && e->secret.size() == 32)
        return e->secret;
    } catch (const KeystoreError& err) {
      throw ConfigError(where + path + ": " + err.what());
    }
    throw ConfigError(where + path + " has no 32-byte '" + std::string(kSecretKeyAlias) +
                      "' entry");
  }
  KeystoreEntry e;
  e.kind = KeystoreEntry::Kind::kSecret;
  e.alias = kSecretKeyAlias;
  e.secret = crypto::randomBytes(32);
  try {
    if (jks) {
      Keystore side({e}, Keystore::Format::kPkcs12);
      side.save(path, ks.password, ks.password);
    } else {
      Keystore updated = *keystore_;
      updated.put(e);
      updated.save(path, ks.password, ks.key_password);
      keystore_ = std::make_shared<const Keystore>(std::move(updated));
    }
  } catch (const KeystoreError& err) {
    throw ConfigError(where + "cannot store a new secret key in " + path + ": " + err.what());
  }
  Poco::Logger::get("idgate").warning("keystore had no '" + std::string(kSecretKeyAlias) +
                                      "' entry; generated one and saved it in " + path);
  return e.secret;
}

}  // namespace idgate
