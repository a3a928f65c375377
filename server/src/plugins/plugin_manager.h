// Scans dropins/*.so, reads each descriptor (ABI 2.0, or 1.x through the adapter), matches it
// with identity.xml, creates the configured instances with their own host contexts, and orders
// the active plugins of each kind: one PluginSet per generation.
//
// A broken file is reported (file and reason) and skipped at startup; loading never throws for
// one. A reload (admin API, SIGHUP) builds and validates a whole new set first and swaps it in
// atomically; a set with a newly broken file or a broken identity.xml is refused and the
// running set keeps serving. Unchanged plugins keep their instances across a reload.
#pragma once

#include <idgate/plugin_abi.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "config/identity_config.h"
#include "plugins/host_services.h"
#include "plugins/plugin_set.h"

namespace idgate {

class PluginManager {
 public:
  /// The global properties plugins read (host_api.global_property) for a configuration.
  using GlobalsFor = std::function<GlobalProperties(const IdentityConfig&)>;

  /// `host` must outlive the manager; each instance gets its own context of it.
  PluginManager(std::string dropins_dir, HostServices& host, const Clock& clock,
                GlobalsFor globals);

  /// Builds and installs the first set; call once at startup.
  void loadAll(const IdentityConfig& identity);

  /// The set in force: the one the calling thread pinned, else the newest.
  std::shared_ptr<const PluginSet> current() const;

  /// Holds one set for the calling thread while it lives, so one request sees one set even if
  /// a reload swaps in another meanwhile.
  class Pin {
   public:
    explicit Pin(std::shared_ptr<const PluginSet> set);
    ~Pin();
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    const PluginSet& set() const { return *set_; }

   private:
    std::shared_ptr<const PluginSet> set_;
    const std::shared_ptr<const PluginSet>* previous_;
  };

  struct ReloadResult {
    bool applied = false;
    uint64_t generation = 0;            ///< in force after the call
    std::vector<std::string> problems;  ///< why refused (file: reason)
    std::vector<std::string> changes;   ///< what changed, when applied
  };
  /// Re-reads identity.xml (through `read_identity`, which throws ConfigError) and dropins/,
  /// and swaps the new set in when nothing new is broken. One reload at a time.
  ReloadResult reload(const std::function<IdentityConfig()>& read_identity);

 private:
  std::shared_ptr<PluginSet> build(const IdentityConfig& identity, const PluginSet* previous);
  ReloadResult reloadLocked(const std::function<IdentityConfig()>& read_identity);
  void loadFile(const std::string& file, const IdentityConfig& identity,
                const std::shared_ptr<const GlobalProperties>& globals,
                const std::string& globals_key, const PluginSet* previous, PluginSet& set);
  void install(std::shared_ptr<const PluginSet> set);

  std::string dropins_dir_;
  HostServices& host_;
  const Clock& clock_;
  GlobalsFor globals_for_;
  mutable std::mutex mutex_;
  std::shared_ptr<const PluginSet> current_;
  std::mutex reload_mutex_;
  uint64_t next_generation_ = 1;
};

}  // namespace idgate
