// Public JSON Web Keys from untrusted JSON, imported into OpenSSL with every check applied:
// points on the curve, curve fitting the key type, RSA at least 2048 bits, no private members.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idgate/jose/json.h"
#include "idgate/jose/status.h"

namespace idgate::jose {

using KeyPtr = std::shared_ptr<EVP_PKEY>;

struct PublicKey {
  std::string kid;  ///< empty when the JWK had none
  std::string kty;  ///< RSA, EC, OKP
  std::string crv;  ///< P-256, P-384, P-521, Ed25519 (EC/OKP)
  std::string alg;  ///< the JWK's own alg, if any
  std::string use;  ///< the JWK's use, if any
  std::string x5t;  ///< SHA-1 certificate thumbprint, base64url (the JWK's x5t, or computed)
  KeyPtr key;
  int64_t not_before =
      0;  ///< certificates only: validity, unix seconds (0 = not from a certificate)
  int64_t not_after = 0;
};

/// One JWK object; on failure `error` says why (for the log).
std::optional<PublicKey> importJwk(const Json& jwk, std::string* error);

/// A larger JWK set is refused whole (registration refuses it too).
inline constexpr size_t kMaxKeysPerSet = 100;

/// {"keys":[...]}; keys that cannot be imported are skipped and counted in `skipped`.
/// nullopt when the document is not a JWKS at all, or holds more than kMaxKeysPerSet keys.
std::optional<std::vector<PublicKey>> importJwks(const Json& jwks, int* skipped,
                                                 std::string* error);

/// The public key of a DER X.509 certificate.
std::optional<PublicKey> importCertificate(const std::string& der, std::string* error);

/// Whether `key` can verify `alg` (RS*/PS*: RSA >= 2048; ES256/384/512: P-256/384/521; EdDSA:
/// Ed25519).
bool keyFitsAlgorithm(const PublicKey& key, const std::string& alg);

}  // namespace idgate::jose
