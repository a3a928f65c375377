// Compact JWS signing (RFC 7515) with a private key, through OpenSSL EVP.
#pragma once

#include <string>

#include "crypto/openssl_ptr.h"

namespace idgate::crypto {

class JwsSigner {
 public:
  /// `alg` must be what signingAlgorithmFor(key) returns; `kid` goes into every header.
  JwsSigner(PkeyPtr key, std::string alg, std::string kid);

  /// header = {"alg","kid","typ"} + payload; returns the compact serialization.
  /// Throws std::runtime_error if OpenSSL fails (mapped to server_error by the caller).
  std::string sign(const std::string& typ, const std::string& payload_json) const;

  const std::string& alg() const { return alg_; }
  const std::string& kid() const { return kid_; }

  /// The JWS signature bytes of `input` (BASE64URL(header) '.' BASE64URL(payload)), for a
  /// caller that writes its own header.
  std::string rawSignature(const std::string& input) const;

 private:
  PkeyPtr key_;
  std::string alg_;
  std::string kid_;
};

}  // namespace idgate::crypto
