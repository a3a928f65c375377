// Compact JWS (RFC 7515 §7.1) parsing and signature verification through OpenSSL EVP.
#pragma once

#include <string>
#include <string_view>

#include "idgate/jose/json.h"
#include "idgate/jose/jwk.h"
#include "idgate/jose/status.h"

namespace idgate::jose {

struct CompactJws {
  Json header = Json::makeNull();
  Json payload = Json::makeNull();
  std::string alg;
  std::string kid;            ///< empty when absent
  std::string typ;            ///< empty when absent
  std::string signing_input;  ///< BASE64URL(header) '.' BASE64URL(payload)
  std::string signature;      ///< raw bytes
};

struct JwsLimits {
  size_t max_token_bytes = 16 * 1024;
};

/// Parses the three segments (canonical base64url, JSON objects, no duplicate names, bounded
/// depth); header alg must be a string; crit is refused; header keys (jwk, jku, x5u, x5c) are
/// never used by anything here.
Status parseCompactJws(std::string_view token, const JwsLimits& limits, CompactJws* out);

/// Asymmetric algorithms this library verifies.
bool isAsymmetricAlgorithm(const std::string& alg);
/// HS256/HS384/HS512.
bool isHmacAlgorithm(const std::string& alg);

/// The shortest HMAC key allowed for an HS algorithm: the hash size (RFC 7518 §3.2), 32/48/64.
size_t hmacKeyMinimumBytes(const std::string& alg);

/// Verifies with a public key; the caller has already checked keyFitsAlgorithm.
Status verifySignature(const std::string& alg, const PublicKey& key,
                       const std::string& signing_input, const std::string& signature);

/// Verifies an HMAC with `secret` as the key bytes (constant-time comparison).
Status verifyHmac(const std::string& alg, const std::string& secret,
                  const std::string& signing_input, const std::string& signature);

}  // namespace idgate::jose
