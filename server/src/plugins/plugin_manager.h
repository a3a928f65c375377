// Scans dropins/*.so, loads each with Boost.DLL, checks the ABI handshake, matches it with
// identity.xml, creates the configured instances, and orders the active authenticators and
// subject mappers.
// A broken file is reported (file and reason) and skipped; loading never throws for one.
#pragma once

#include <idgate/plugin_abi.h>

#include <memory>
#include <string>
#include <vector>

#include "config/identity_config.h"
#include "plugins/client_authenticator.h"
#include "plugins/host_services.h"
#include "plugins/plugin_status.h"
#include "plugins/subject_mapper.h"

namespace idgate {

class PluginManager {
 public:
  /// `host` must outlive the manager; each instance gets its own context of it.
  PluginManager(std::string dropins_dir, const IdentityConfig& identity, HostServices& host);

  /// Loads every plugin; call once at startup.
  void loadAll();

  /// Active client authenticators, ascending orderId (ties: file name).
  const std::vector<std::shared_ptr<const ClientAuthenticatorPlugin>>& authenticators() const {
    return active_;
  }
  /// Active subject mappers, ascending orderId.
  const std::vector<std::shared_ptr<const SubjectMapperPlugin>>& subjectMappers() const {
    return mappers_;
  }
  /// One entry per file in dropins/ (plus identity.xml entries naming no plugin are logged).
  const std::vector<PluginStatus>& statuses() const { return statuses_; }

 private:
  void loadFile(const std::string& path, const std::string& file);
  const EventListenerConfig* listenerFor(const idgate_plugin_descriptor& d) const;

  std::string dropins_dir_;
  const IdentityConfig& identity_;
  HostServices& host_;
  std::vector<std::shared_ptr<const ClientAuthenticatorPlugin>> active_;
  std::vector<std::shared_ptr<const SubjectMapperPlugin>> mappers_;
  std::vector<PluginStatus> statuses_;
};

}  // namespace idgate
