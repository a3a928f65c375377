#include "crypto/jwk.h"

#include <openssl/core_names.h>

#include <stdexcept>

#include <idgate/jose/base64url.h>
#include "crypto/digest.h"
#include "crypto/keys.h"

namespace idgate::crypto {
namespace {

std::string bnParam(EVP_PKEY* key, const char* name, size_t pad_to) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("key parameter missing");
  size_t len = pad_to ? pad_to : static_cast<size_t>(BN_num_bytes(bn));
  std::string out(len, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(len));
  BN_free(bn);
  return base64UrlEncode(out);
}

}  // namespace

PublicJwk publicJwk(EVP_PKEY* key, const std::string& kid, const std::string& alg) {
  // Members in lexicographic order give the RFC 7638 canonical form directly.
  std::string canonical;
  switch (keyType(key)) {
    case KeyType::kEcP256:
    case KeyType::kEcP384:
    case KeyType::kEcP521: {
      KeyType t = keyType(key);
      size_t size = t == KeyType::kEcP256 ? 32 : t == KeyType::kEcP384 ? 48 : 66;
      const char* crv = t == KeyType::kEcP256 ? "P-256" : t == KeyType::kEcP384 ? "P-384" : "P-521";
      canonical = std::string("{\"crv\":\"") + crv + "\",\"kty\":\"EC\",\"x\":\"" +
                  bnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, size) + "\",\"y\":\"" +
                  bnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, size) + "\"}";
      break;
    }
    case KeyType::kRsa:
      canonical = "{\"e\":\"" + bnParam(key, OSSL_PKEY_PARAM_RSA_E, 0) +
                  "\",\"kty\":\"RSA\",\"n\":\"" + bnParam(key, OSSL_PKEY_PARAM_RSA_N, 0) + "\"}";
      break;
    case KeyType::kEd25519: {
      std::string raw(32, '\0');
      size_t len = raw.size();
      EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len);
      canonical = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + base64UrlEncode(raw) + "\"}";
      break;
    }
    default:
      throw std::runtime_error("unsupported key type for JWK");
  }
  PublicJwk out;
  out.thumbprint = base64UrlEncode(sha256(canonical));
  const std::string& k = kid.empty() ? out.thumbprint : kid;
  out.json = canonical.substr(0, canonical.size() - 1) + ",\"use\":\"sig\",\"alg\":\"" + alg +
             "\",\"kid\":\"" + k + "\"}";
  return out;
}

}  // namespace idgate::crypto
