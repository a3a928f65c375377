// Public keys as JSON Web Keys (RFC 7517/7518/8037) with RFC 7638 thumbprints.
#pragma once

#include <string>

#include "crypto/openssl_ptr.h"

namespace idgate::crypto {

struct PublicJwk {
  std::string json;        ///< the JWK object, members: kty, crv/n/e/x/y, kid, use, alg
  std::string thumbprint;  ///< RFC 7638 SHA-256 thumbprint, base64url
};

/// The public half of `key` as a JWK with `kid` (empty = the thumbprint) and `alg`.
PublicJwk publicJwk(EVP_PKEY* key, const std::string& kid, const std::string& alg);

}  // namespace idgate::crypto
