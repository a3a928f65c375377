// JWK and JWK set import (what registration, jwks_uri and trusted issuers feed it): no crash,
// and an imported key carries a key and a kty it was given.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <idgate/jose/jwk.h>

using namespace idgate::jose;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto json = parseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!json) return 0;
  std::string error;
  int skipped = 0;
  if (auto set = importJwks(*json, &skipped, &error)) {
    if (set->size() > kMaxKeysPerSet) std::abort();
    for (const auto& k : *set) {
      if (!k.key || (k.kty != "RSA" && k.kty != "EC" && k.kty != "OKP")) std::abort();
      for (const char* alg : {"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"}) {
        keyFitsAlgorithm(k, alg);
      }
    }
  }
  if (auto key = importJwk(*json, &error)) {
    if (!key->key) std::abort();
  }
  return 0;
}
