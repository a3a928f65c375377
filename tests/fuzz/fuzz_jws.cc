// Compact JWS: no crash in parsing or in verification with a fixed key set; a parsed token's
// signing input is its first two segments as sent, and its alg is the header's.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <idgate/jose/jwk.h>
#include <idgate/jose/jws.h>

using namespace idgate::jose;

namespace {

const std::vector<PublicKey>& keys() {
  static const std::vector<PublicKey> k = [] {
    auto json = parseJson(
#include "fixed_jwks.inc"
    );
    int skipped = 0;
    std::string error;
    auto set = importJwks(*json, &skipped, &error);
    if (!set || set->size() != 2) std::abort();
    return *set;
  }();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CompactJws jws;
  if (parseCompactJws(in, JwsLimits{}, &jws) != Status::kOk) return 0;
  if (in.substr(0, jws.signing_input.size()) != jws.signing_input ||
      in.size() <= jws.signing_input.size() || in[jws.signing_input.size()] != '.') {
    std::abort();
  }
  auto alg = jws.header.getString("alg");
  if (!alg || *alg != jws.alg) std::abort();
  for (const auto& key : keys()) {
    if (keyFitsAlgorithm(key, jws.alg))
      verifySignature(jws.alg, key, jws.signing_input, jws.signature);
  }
  if (isHmacAlgorithm(jws.alg)) {
    verifyHmac(jws.alg, std::string(64, 'k'), jws.signing_input, jws.signature);
  }
  return 0;
}
