// The host services a plugin may call (idgate_host_api), backed by the server's stores,
// keystore, clock and configuration; and each plugin instance's own context of them, which
// names the plugin in its log lines and refuses the services it did not declare.
#pragma once

#include <idgate/plugin_abi.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/clock.h"
#include "config/resource_server_config.h"
#include "crypto/secret_box.h"
#include "jwks/jwks_fetcher.h"
#include "keystore/keystore.h"
#include "plugins/plugin_abi_v1.h"
#include "store/client_id_collisions.h"
#include "store/client_store.h"
#include "store/jti_store.h"
#include "store/user_store.h"

namespace idgate {

class HostServices;

using GlobalProperties = std::map<std::string, std::string>;

/// "client_read", "client_secret_verify"... for each bit of `capabilities`.
std::vector<std::string> capabilityNames(uint64_t capabilities);

/// One plugin instance's view of the host services: its own table, with a context that names
/// the plugin and the identity.xml EventListener it runs under, carries the capabilities it
/// declared (a call to any other service is refused, logged once per service, and counted)
/// and the global properties of the configuration it was built from. Valid while the instance
/// lives (the host keeps it until instance_destroy has returned).
class PluginHostContext {
 public:
  struct Identity {
    std::string plugin;    ///< the plugin's name ("" for the shared table)
    std::string listener;  ///< its identity.xml EventListener name, if any
    uint64_t capabilities = 0;
    /// A client authenticator's method: the only clients whose secret it may read.
    std::string auth_method;
  };
  PluginHostContext(HostServices& services, Identity identity,
                    std::shared_ptr<const GlobalProperties> globals);
  PluginHostContext(const PluginHostContext&) = delete;
  PluginHostContext& operator=(const PluginHostContext&) = delete;

  /// The ABI 2.0 table.
  const idgate_host_api* api() const { return &api_; }
  /// The same services in the ABI 1.x layout, for the adapter.
  const abi1::HostApi* v1Api() const { return &v1_; }
  HostServices& services() const { return services_; }
  const Identity& identity() const { return identity_; }
  /// The logger its lines go to: "idgate.plugin.<name>", plus "(<EventListener>)" when the
  /// listener has another name than the plugin; "idgate.plugin" for the shared table.
  const std::string& logger() const { return logger_; }
  /// true when the plugin declared `capability`; otherwise logs (first time per service) and
  /// counts the refusal of `call`.
  bool permits(uint64_t capability, const char* call);
  /// Calls refused because the capability was not declared.
  uint64_t refusedCalls() const { return refused_.load(std::memory_order_relaxed); }
  idgate_lookup_code globalProperty(const std::string& name, std::string* value) const;
  /// OAuth.TimestampSkew of its configuration, or -1 when its globals do not say.
  int64_t skewSeconds() const { return skew_s_; }

 private:
  HostServices& services_;
  Identity identity_;
  std::shared_ptr<const GlobalProperties> globals_;
  idgate_host_api api_;
  abi1::HostApi v1_;
  std::string logger_;
  int64_t skew_s_ = -1;
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> refusal_logged_{0};  ///< capability bits already logged
};

class HostServices {
 public:
  HostServices(ClientStore& clients, JtiStore& jtis, const Clock& clock,
               std::function<std::shared_ptr<const Keystore>()> keystore,
               std::shared_ptr<const crypto::SecretBox> secret_box,
               GlobalProperties global_properties, int64_t skew_s, JwksFetcher* jwks = nullptr,
               const ClientIdCollisions* collisions = nullptr,
               std::set<std::string> reserved_aliases = {}, UserStore* users = nullptr,
               std::vector<RegistryUser> registry = {});

  /// A table of its own for one plugin instance; `globals` are the global properties of the
  /// configuration it is built from (null: those the services were made with).
  std::shared_ptr<PluginHostContext> contextFor(
      PluginHostContext::Identity identity,
      std::shared_ptr<const GlobalProperties> globals = nullptr);

  // The operations behind the C table (public so unit tests can call them directly).
  idgate_lookup_code clientLookup(const std::string& id, std::string* json);
  idgate_lookup_code clientSecretVerify(const std::string& id, const std::string& secret);
  /// `method` non-empty: only a client registered with that token_endpoint_auth_method.
  idgate_lookup_code clientSecretGet(const std::string& id, std::string* secret,
                                     const std::string& method = {});
  idgate_lookup_code keystoreCertificate(const std::string& alias, std::string* der);
  /// `skew_s`: how long past exp the row is kept (the OAuth.TimestampSkew the calling plugin
  /// was configured with; -1: the one the services were made with).
  idgate_jti_code jtiCheckAndInsert(const std::string& scope, const std::string& jti,
                                    int64_t exp_unix_s, int64_t skew_s = -1);
  idgate_lookup_code jwksFetch(const std::string& uri, bool refresh, std::string* jwks);
  idgate_lookup_code userPasswordVerify(const std::string& username, const std::string& password);
  idgate_lookup_code userLookup(const std::string& username, std::string* json);
  idgate_lookup_code registryPasswordVerify(const std::string& username,
                                            const std::string& password);
  idgate_lookup_code registryUser(const std::string& username, std::string* json);
  /// ABI 2.2 access_token_verify: through the verifier set below (ERROR when none is).
  idgate_lookup_code accessTokenVerify(const std::string& token, std::string* claims_json);
  int64_t nowMillis() const { return clock_.nowMillis(); }

  /// Verifies idgate's own access tokens for access_token_verify (the OAuth layer's, set once
  /// at startup before any plugin loads).
  using AccessTokenVerifier =
      std::function<idgate_lookup_code(const std::string& token, std::string* claims_json)>;
  void setAccessTokenVerifier(AccessTokenVerifier verifier) {
    access_token_verifier_ = std::move(verifier);
  }

 private:
  ClientStore& clients_;
  JtiStore& jtis_;
  const Clock& clock_;
  std::function<std::shared_ptr<const Keystore>()> keystore_;
  std::shared_ptr<const crypto::SecretBox> secret_box_;
  std::shared_ptr<const GlobalProperties> globals_;
  int64_t skew_s_;
  JwksFetcher* jwks_;
  const ClientIdCollisions* collisions_;
  std::set<std::string> reserved_aliases_;  ///< lower-cased; never a client's certificate
  UserStore* users_;
  std::vector<RegistryUser> registry_;  ///< server.xml <basicRegistry> users
  AccessTokenVerifier access_token_verifier_;
  const std::string& dummyUserHash();

  std::string dummy_secret_hash_;  ///< verified against when a client has no secret hash
  std::once_flag dummy_user_once_;
  std::string dummy_user_hash_;  ///< verified against for an unknown user (made on first use)
};

}  // namespace idgate
