// One active token customizer: sees a token's claims before it is signed, with the client and
// the grant, and may set or remove claims other than the protected ones, or deny the token.
#pragma once

#include <idgate/plugin_abi.h>

#include <string>

#include "common/claim_list.h"
#include "plugins/plugin_instance.h"

namespace idgate {

struct TokenCustomizeInput {
  std::string token_type = "access_token";
  std::string grant_type;
  std::string client_id;
  std::string client_metadata_json;
};

struct CustomizeResult {
  enum class Kind { kDone, kDenied, kError };
  Kind kind = Kind::kError;
  std::string reason;
};

/// Claims no customizer may set or remove: who issued the token, its lifetime, its id, the
/// client it was issued to and the key it is bound to (cnf).
bool isProtectedClaim(const std::string& name);
/// An ID token's: those, and who it is for and about, and what binds it to the sign-in (sub,
/// aud, azp, nonce, auth_time, sid, at_hash, c_hash).
bool isProtectedIdTokenClaim(const std::string& name);

class TokenCustomizerPlugin : public PluginInstance {
 public:
  using PluginInstance::PluginInstance;

  /// Calls the plugin and applies its changes to `claims` only when all are acceptable: a
  /// protected claim touched, a value that is not JSON or an unknown code is an error (the
  /// request fails closed; `claims` unchanged).
  CustomizeResult customize(const TokenCustomizeInput& input, ClaimList& claims) const;
};

}  // namespace idgate
