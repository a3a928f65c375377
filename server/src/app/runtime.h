// Everything a running server holds, built once at startup in dependency order.
// Construction throws (ConfigError, KeystoreError, StoreError) with an operator-facing message;
// nothing on the request path throws.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "admin/admin_auth.h"
#include "admin/console_sessions.h"
#include "clients/client_registry.h"
#include "clients/user_registry.h"
#include "common/clock.h"
#include "config/identity_config.h"
#include "config/server_config.h"
#include "crypto/secret_box.h"
#include "gateway/gateway.h"
#include "jwks/jwks_fetcher.h"
#include "keystore/keystore.h"
#include "keystore/keystore_holder.h"
#include "login/login_context.h"
#include "login/login_flow.h"
#include "login/logout_endpoint.h"
#include "login/par_endpoint.h"
#include "login/userinfo_endpoint.h"
#include "oauth/client_authentication.h"
#include "oauth/signing_keys.h"
#include "oauth/token_endpoint.h"
#include "oauth/token_lifecycle.h"
#include "oauth/user_authentication.h"
#include "plugins/host_services.h"
#include "plugins/plugin_manager.h"
#include "resource/dpop_proof.h"
#include "resource/key_resolver.h"
#include "resource/resource_guard.h"
#include "resource/token_validator.h"
#include "store/authorization_code_store.h"
#include "store/client_id_collisions.h"
#include "store/client_store.h"
#include "store/consent_store.h"
#include "store/database.h"
#include "store/jti_purger.h"
#include "store/jti_store.h"
#include "store/login_session_store.h"
#include "store/pending_request_store.h"
#include "store/refresh_token_store.h"
#include "store/revocation_list.h"
#include "store/revoked_token_store.h"
#include "store/user_store.h"

namespace idgate {

/// Alias of the keystore's secret key entry that seals stored client secrets.
inline constexpr const char* kSecretKeyAlias = "idgate-secret-key";

class Runtime {
 public:
  /// Reads <home>/conf/identity.xml, opens keystore and database, loads plugins. `issuer` is
  /// server.xml's <Issuer>, or the URL of the first bound listener when that is absent.
  Runtime(const std::string& home, ServerConfig config, const std::string& issuer,
          const std::vector<std::string>& listener_urls);
  ~Runtime();

  const ServerConfig& config() const { return config_; }
  const IdentityConfig& identity() const { return identity_; }
  const std::string& issuer() const { return settings_.issuer; }
  const Clock& clock() const { return clock_; }
  std::shared_ptr<const Keystore> keystore() const { return keystore_holder_->current(); }
  KeystoreHolder& keystoreHolder() { return *keystore_holder_; }
  std::shared_ptr<const Keystore> truststore() const { return truststore_; }
  Database& database() { return *db_; }
  PluginManager& plugins() { return *plugins_; }
  /// Re-reads conf/identity.xml and dropins/ and swaps in the new plugin set (or refuses it).
  PluginManager::ReloadResult reloadPlugins();
  UserRegistry& userRegistry() { return *user_registry_; }
  const UserAuthentication& userAuthentication() const { return *user_auth_; }
  const SigningKeys& signingKeys() const { return *keys_; }
  struct SigningKeyRotation {
    std::string kid;            ///< of the new key
    std::string retired_alias;  ///< where the previous key stays, published
    int64_t publish_until = 0;
    std::vector<std::string> removed_aliases;  ///< retired keys past their time, deleted
  };
  /// A new EC P-256 key under KeyAlias, signing from now on; the previous one kept (and
  /// published) as SigningKeys::retiredAlias until every token it signed has expired. Empty on
  /// success, else why nothing changed.
  std::string rotateSigningKey(SigningKeyRotation* out);
  TokenEndpoint& tokenEndpoint() { return *token_; }
  ClientRegistry& registry() { return *registry_; }
  ClientStore& clients() { return *clients_; }
  AdminAuth& adminAuth() { return *admin_; }
  ConsoleSessions& consoleSessions() { return *console_sessions_; }
  LoginThrottle& loginThrottle() { return *login_throttle_; }
  /// Serializes the admin API's edits of conf/identity.xml (and the reload each ends with).
  std::mutex& identityXmlMutex() { return identity_xml_mutex_; }
  JwksFetcher& jwksFetcher() { return *jwks_; }
  ResourceGuard& resourceGuard() { return *guard_; }
  Gateway* gateway() { return gateway_.get(); }  ///< null without <route>s
  LoginFlow& loginFlow() { return *login_flow_; }
  const TokenLifecycle& tokenLifecycle() const { return *lifecycle_; }
  ParEndpoint& par() { return *par_; }
  LogoutEndpoint& logout() { return *logout_; }
  UserinfoEndpoint& userinfo() { return *userinfo_; }
  const PageTemplates& pages() const { return *pages_; }

 private:
  std::string secretBoxKey();
  void setUpResourceServer();
  /// The interactive login: templates from <home>/conf/templates, the endpoints.
  void setUpLogin();
  void checkClientIdCase();
  /// What plugins read through host_api.global_property for `identity`.
  GlobalProperties globalProperties(const IdentityConfig& identity) const;
  /// Keystore aliases the configuration uses (lower-cased): never a client's certificate.
  std::set<std::string> reservedAliases() const;
  /// Removes `client_id`'s own certificate entry, if any; "" or why it could not.
  std::string deleteClientCertificate(const std::string& client_id);

  std::string home_;
  ServerConfig config_;
  std::vector<std::string> listener_urls_;
  IdentityConfig identity_;
  SystemClock clock_;
  std::shared_ptr<const Keystore> keystore_;
  std::shared_ptr<const Keystore> truststore_;  ///< optional <TrustStore>
  std::unique_ptr<KeystoreHolder> keystore_holder_;
  std::shared_ptr<const crypto::SecretBox> box_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ClientStore> clients_;
  ClientIdCollisions collisions_;
  std::unique_ptr<JtiStore> jtis_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<AuthorizationCodeStore> codes_;
  std::unique_ptr<LoginSessionStore> login_sessions_;
  std::unique_ptr<PendingRequestStore> pending_;
  std::unique_ptr<ConsentStore> consents_;
  std::unique_ptr<RevocationList> revoked_;
  std::unique_ptr<DpopProofVerifier> dpop_;
  int metrics_collector_ = -1;
  int jti_collector_ = -1;
  std::unique_ptr<RefreshTokenStore> refresh_tokens_;
  std::unique_ptr<JtiPurger> purger_;
  std::unique_ptr<JwksFetcher> jwks_;
  std::unique_ptr<HostServices> host_;
  std::unique_ptr<PluginManager> plugins_;
  std::unique_ptr<SigningKeys> keys_;
  TokenSettings settings_;
  std::unique_ptr<ClientAuthenticationChain> chain_;
  std::unique_ptr<TokenEndpoint> token_;
  std::unique_ptr<ClientRegistry> registry_;
  std::unique_ptr<UserRegistry> user_registry_;
  std::unique_ptr<UserAuthentication> user_auth_;
  std::unique_ptr<AdminAuth> admin_;
  std::unique_ptr<ConsoleSessions> console_sessions_;
  std::mutex identity_xml_mutex_;
  std::unique_ptr<KeyResolver> key_resolver_;
  std::unique_ptr<TokenValidator> validator_;
  std::unique_ptr<SessionCookies> sessions_;
  std::unique_ptr<ResourceGuard> guard_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<PageTemplates> pages_;
  std::unique_ptr<LoginCookie> login_cookie_;
  std::unique_ptr<LoginThrottle> login_throttle_;
  std::unique_ptr<OwnTokenVerifier> own_tokens_;
  std::unique_ptr<TokenLifecycle> lifecycle_;
  std::unique_ptr<LoginContext> login_;
  std::unique_ptr<LoginFlow> login_flow_;
  std::unique_ptr<ParEndpoint> par_;
  std::unique_ptr<LogoutEndpoint> logout_;
  std::unique_ptr<UserinfoEndpoint> userinfo_;
};

}  // namespace idgate
