#include "crypto/random.h"

#include <openssl/rand.h>

#include <stdexcept>

#include <idgate/jose/base64url.h>

namespace idgate::crypto {

std::string randomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("random generator failed");
  }
  return out;
}

std::string randomToken(size_t n) { return base64UrlEncode(randomBytes(n)); }

}  // namespace idgate::crypto
