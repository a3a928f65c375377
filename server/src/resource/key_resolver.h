// Where an <openidConnectClient>'s verification keys come from: its jwkEndpointUrl (fetched,
// cached, refetched on a miss at most once per interval), a certificate in the keystore or
// truststore (trustStoreRef + trustAliasName), or, for idgate's own issuer, the server's own
// signing keys. An interface so validation tests can hand in keys directly.
#pragma once

#include <idgate/jose/jwk.h>

#include <memory>
#include <string>
#include <vector>

#include "config/resource_server_config.h"

namespace idgate {

using KeySet = std::shared_ptr<const std::vector<jose::PublicKey>>;

class KeyResolver {
 public:
  virtual ~KeyResolver() = default;
  /// The keys to try. `refresh`: the previous set had no match, fetch again if allowed.
  /// nullptr with `error` when there is no usable key set.
  virtual KeySet keys(const OidcClientConfig& config, bool refresh, std::string* error) = 0;

  /// The private key named by keyManagementKeyAlias, for JWE; nullptr with `error` if none.
  virtual jose::KeyPtr decryptionKey(const OidcClientConfig& config, std::string* error) {
    (void)config;
    *error = "no decryption key";
    return nullptr;
  }
};

}  // namespace idgate
