#include "crypto/digest.h"

#include <idgate/jose/digests.h>
#include <openssl/evp.h>

namespace idgate::crypto {

std::string sha256(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, jose::fetchedDigest("256"), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string sha256Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : sha256(bytes)) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace idgate::crypto
