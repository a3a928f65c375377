// conf/identity.xml in WSO2 format: <EventListeners>, <CacheConfig>, <OAuth><TimestampSkew>.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace idgate {

struct EventListenerConfig {
  std::string type;
  std::string name;
  int order_id = -1;
  bool enable = true;
  bool enable_valid = true;  ///< false: `enable` was not a boolean (WSO2: treated as disabled)
  std::map<std::string, std::string> properties;  ///< later duplicates win (WSO2)
};

struct CacheConfigEntry {
  std::string manager;
  std::string name;
  bool enable = true;
  int64_t timeout_s = 10;
  int64_t capacity = 5000;
  bool distributed = false;
};

struct IdentityConfig {
  std::string file;
  int64_t timestamp_skew_s = 60;
  std::vector<EventListenerConfig> listeners;
  std::vector<CacheConfigEntry> caches;

  /// "OAuth.TimestampSkew", "CacheConfig.<name>.enable|timeout|capacity|isDistributed".
  std::map<std::string, std::string> globalProperties() const;
};

/// Throws ConfigError naming the file, element and attribute.
IdentityConfig loadIdentityConfig(const std::string& file);

/// The identity.xml `idgate-server init` writes.
std::string defaultIdentityXml();

}  // namespace idgate
