// The host services table handed to every plugin (idgate_host_api), backed by the server's
// stores, keystore, clock and configuration.
#pragma once

#include <idgate/plugin_abi.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/clock.h"
#include "crypto/secret_box.h"
#include "jwks/jwks_fetcher.h"
#include "keystore/keystore.h"
#include "store/client_id_collisions.h"
#include "store/client_store.h"
#include "store/jti_store.h"

namespace idgate {

class HostServices;

/// One plugin instance's view of the host services: the same table, with a context that names
/// the plugin and the identity.xml EventListener it runs under, so that its log lines say who
/// wrote them. Valid while the instance lives (the host keeps it until instance_destroy has
/// returned).
class PluginHostContext {
 public:
  PluginHostContext(HostServices& services, const idgate_host_api& table, std::string plugin,
                    std::string listener);
  PluginHostContext(const PluginHostContext&) = delete;
  PluginHostContext& operator=(const PluginHostContext&) = delete;

  const idgate_host_api* api() const { return &api_; }
  HostServices& services() const { return services_; }
  /// The logger its lines go to: "idgate.plugin.<name>", plus "(<EventListener>)" when the
  /// listener has another name than the plugin; "idgate.plugin" for the shared table.
  const std::string& logger() const { return logger_; }

 private:
  HostServices& services_;
  idgate_host_api api_;
  std::string logger_;
};

class HostServices {
 public:
  HostServices(ClientStore& clients, JtiStore& jtis, const Clock& clock,
               std::function<std::shared_ptr<const Keystore>()> keystore,
               std::shared_ptr<const crypto::SecretBox> secret_box,
               std::map<std::string, std::string> global_properties, int64_t skew_s,
               JwksFetcher* jwks = nullptr, const ClientIdCollisions* collisions = nullptr,
               std::set<std::string> reserved_aliases = {});

  /// The shared table (no plugin named in its log lines).
  const idgate_host_api* api() const { return shared_context_->api(); }
  /// A table of its own for the instance of `plugin` configured by EventListener `listener`.
  std::shared_ptr<PluginHostContext> contextFor(const std::string& plugin,
                                                const std::string& listener);

  // The operations behind the C table (public so unit tests can call them directly).
  idgate_lookup_code clientLookup(const std::string& id, std::string* json);
  idgate_lookup_code clientSecretVerify(const std::string& id, const std::string& secret);
  idgate_lookup_code clientSecretGet(const std::string& id, std::string* secret);
  idgate_lookup_code keystoreCertificate(const std::string& alias, std::string* der);
  idgate_jti_code jtiCheckAndInsert(const std::string& client_id, const std::string& jti,
                                    int64_t exp_unix_s);
  idgate_lookup_code globalProperty(const std::string& name, std::string* value);
  idgate_lookup_code jwksFetch(const std::string& uri, bool refresh, std::string* jwks);
  int64_t nowMillis() const { return clock_.nowMillis(); }

 private:
  ClientStore& clients_;
  JtiStore& jtis_;
  const Clock& clock_;
  std::function<std::shared_ptr<const Keystore>()> keystore_;
  std::shared_ptr<const crypto::SecretBox> secret_box_;
  std::map<std::string, std::string> global_properties_;
  int64_t skew_s_;
  JwksFetcher* jwks_;
  const ClientIdCollisions* collisions_;
  std::set<std::string> reserved_aliases_;  ///< lower-cased; never a client's certificate
  std::string dummy_secret_hash_;           ///< verified against when a client has no secret hash
  idgate_host_api api_;
  std::unique_ptr<PluginHostContext> shared_context_;
};

}  // namespace idgate
