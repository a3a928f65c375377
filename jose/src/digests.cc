#include <idgate/jose/digests.h>

#include <memory>

namespace idgate::jose {

const EVP_MD* fetchedDigest(std::string_view bits) {
  // Function-local statics: fetched once, thread-safe, freed with the module. A plugin
  // compiles this file in: a plugin unloaded by a live reload lost never-freed digests with its
  // statics (a leak report in the sanitizer run, once per reload).
  using Md = std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)>;
  static const Md sha256(EVP_MD_fetch(nullptr, "SHA2-256", nullptr), EVP_MD_free);
  static const Md sha384(EVP_MD_fetch(nullptr, "SHA2-384", nullptr), EVP_MD_free);
  static const Md sha512(EVP_MD_fetch(nullptr, "SHA2-512", nullptr), EVP_MD_free);
  if (bits == "256") return sha256.get();
  if (bits == "384") return sha384.get();
  if (bits == "512") return sha512.get();
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
