// Validation of RFC 7591 client metadata sent to the admin API.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace idgate {

enum class SecretForm { kNone, kHash, kSealed };

/// What the plugin implementing a token_endpoint_auth_method declares.
struct MethodInfo {
  std::vector<std::string> signing_algs;  ///< JWS algorithms it verifies (assertion methods)
  SecretForm secret_form = SecretForm::kNone;
};

/// What registration may name, from the loaded plugins.
struct RegistrationCatalog {
  /// The method's declaration; nullopt = no plugin implements it.
  std::function<std::optional<MethodInfo>(const std::string& method)> method;
  /// The method of a registration that names none; "" when no plugin declares a default.
  std::function<std::string()> default_method;
  /// Every grant_type the token endpoint answers.
  std::function<std::vector<std::string>()> grant_types;
};

struct ValidatedMetadata {
  std::string client_id;      ///< empty: generate one
  std::string metadata_json;  ///< normalized, without client_id and secrets
  std::string auth_method;
  std::string signing_alg;
  std::optional<std::string> client_secret;  ///< as sent
  /// How the method keeps the secret (its plugin says): a hash where comparing is enough,
  /// sealed where the secret itself is the key (client_secret_jwt).
  SecretForm secret_form = SecretForm::kNone;
};

/// Returns the error description on failure (becomes invalid_client_metadata).
std::optional<std::string> validateClientMetadata(const std::string& body,
                                                  const RegistrationCatalog& catalog,
                                                  ValidatedMetadata* out);

bool isValidClientId(const std::string& id);

}  // namespace idgate
