// Compact JWE decryption with fixed recipient keys (RSA and EC P-256): no crash, no leak, and a
// result that is either a plaintext with no error or an error with no plaintext. The seeds decrypt,
// so the mutations reach the header, key-management and GCM paths past the first refusal.
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include <idgate/jose/jwe.h>

#include "fixed_jwe_keys.inc"

namespace {

EVP_PKEY* load(const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) std::abort();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static EVP_PKEY* const rsa = load(kJweRsaPem);
  static EVP_PKEY* const ec = load(kJweEcPem);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (EVP_PKEY* key : {rsa, ec}) {
    idgate::jose::JweResult r = idgate::jose::decryptCompactJwe(in, key);
    if (r.ok != r.error.empty()) std::abort();
    if (!r.ok && !r.plaintext.empty()) std::abort();  // nothing half-decrypted is handed out
  }
  return 0;
}
