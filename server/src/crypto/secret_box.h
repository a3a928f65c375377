// Authenticated encryption of stored secrets (AES-256-GCM), bound to a context string.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace idgate::crypto {

class SecretBox {
 public:
  /// `key` must be 32 bytes.
  explicit SecretBox(std::string key);

  /// "v1." + base64url(nonce || ciphertext || tag); `context` is authenticated, not stored.
  std::string seal(std::string_view plaintext, std::string_view context) const;

  /// nullopt when the box was tampered with, sealed for another context, or malformed.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  std::string key_;
};

}  // namespace idgate::crypto
