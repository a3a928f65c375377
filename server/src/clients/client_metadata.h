// Validation of RFC 7591 client metadata sent to the admin API.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace idgate {

/// Signing algorithms of the loaded plugin implementing `method`; nullopt = no such plugin.
using MethodCatalog =
    std::function<std::optional<std::vector<std::string>>(const std::string& method)>;

struct ValidatedMetadata {
  std::string client_id;      ///< empty: generate one
  std::string metadata_json;  ///< normalized, without client_id and secrets
  std::string auth_method;
  std::string signing_alg;
  std::optional<std::string> client_secret;  ///< as sent
};

enum class SecretForm { kNone, kHash, kSealed };

/// How a method's secret is kept: a hash where comparing is enough, sealed where the
/// secret itself is the key (client_secret_jwt).
SecretForm secretFormFor(const std::string& auth_method);

/// Returns the error description on failure (becomes invalid_client_metadata).
std::optional<std::string> validateClientMetadata(const std::string& body,
                                                  const MethodCatalog& methods,
                                                  ValidatedMetadata* out);

bool isValidClientId(const std::string& id);

}  // namespace idgate
