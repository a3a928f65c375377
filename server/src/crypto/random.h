// Cryptographically secure randomness (OpenSSL RAND_bytes).
#pragma once

#include <string>

namespace idgate::crypto {

/// `n` random bytes; throws std::runtime_error if the generator fails.
std::string randomBytes(size_t n);

/// A URL-safe random string carrying `n` random bytes.
std::string randomToken(size_t n);

}  // namespace idgate::crypto
