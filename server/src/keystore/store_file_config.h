// Where a keystore or truststore file is and how to open it (server.xml <KeyStore>,
// <TrustStore>), as the keystore code and the configuration reader both need it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idgate {

struct RetiredKeyConfig {
  std::string alias;
  int64_t publish_until = 0;  ///< unix seconds
};

struct StoreFileConfig {
  std::string location;  ///< absolute (resolved against the home)
  std::string type;      ///< "PKCS12" or "JKS"
  std::string password;
  std::string key_alias;
  std::string key_password;
  int64_t reload_interval_ms = 2000;      ///< 0: no live reload
  std::vector<RetiredKeyConfig> retired;  ///< keys still published in the JWKS
};

}  // namespace idgate
