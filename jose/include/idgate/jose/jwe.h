// Compact JWE (RFC 7516) decryption for JWTs presented to the resource server: key management
// RSA-OAEP, RSA-OAEP-256 and ECDH-ES (direct, Concat KDF), content encryption A128GCM,
// A192GCM and A256GCM. RSA1_5 (padding-oracle prone) and everything else is refused.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace idgate::jose {

struct JweResult {
  bool ok = false;
  std::string error;      ///< why not (never secret material)
  std::string plaintext;  ///< the decrypted payload
  std::string cty;        ///< the protected header's cty, as written
};

/// Decrypts `token` (five segments) with `key`, the recipient's private key (RSA >= 2048 bits,
/// or EC P-256/384/521).
JweResult decryptCompactJwe(std::string_view token, EVP_PKEY* key);

}  // namespace idgate::jose
