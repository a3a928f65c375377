// Constant-time comparison of secrets.
#pragma once

#include <openssl/crypto.h>

#include <string_view>

namespace idgate::crypto {

/// Compares in time independent of the contents (length is not secret).
inline bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace idgate::crypto
