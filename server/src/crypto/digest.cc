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

}  // namespace idgate::crypto
