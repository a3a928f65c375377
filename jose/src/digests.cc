#include <idgate/jose/digests.h>

namespace idgate::jose {

const EVP_MD* fetchedDigest(std::string_view bits) {
  // Function-local statics: fetched once, thread-safe, never freed (process lifetime).
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  if (bits == "256") return sha256;
  if (bits == "384") return sha384;
  if (bits == "512") return sha512;
  return nullptr;
}

const EVP_MD* jwsDigest(std::string_view alg) {
  return alg.size() < 5 ? nullptr : fetchedDigest(alg.substr(alg.size() - 3));
}

bool digestOf(std::string_view alg, std::string_view input, unsigned char* out, size_t* len) {
  const EVP_MD* md = jwsDigest(alg);
  unsigned int n = 0;
  if (md == nullptr || EVP_Digest(input.data(), input.size(), out, &n, md, nullptr) != 1) {
    return false;
  }
  *len = n;
  return true;
}

}  // namespace idgate::jose
