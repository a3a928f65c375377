#include <idgate/jose/base64url.h>
#include <idgate/jose/jwk.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <ctime>

namespace idgate::jose {
namespace {

KeyPtr adopt(EVP_PKEY* k) { return KeyPtr(k, EVP_PKEY_free); }

std::optional<std::string> b64(const Json& jwk, const char* name) {
  auto v = jwk.getString(name);
  if (!v) return std::nullopt;
  return base64UrlDecode(*v);
}

KeyPtr fromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) {
    EVP_PKEY_free(key);
    ERR_clear_error();
    return nullptr;
  }
  // Reject points not on the curve and malformed RSA values.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  bool valid = check && EVP_PKEY_public_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  ERR_clear_error();
  if (!valid) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return adopt(key);
}

constexpr int kMaxRsaBits = 8192;

KeyPtr importRsa(const Json& jwk, std::string* error) {
  auto n = b64(jwk, "n");
  auto e = b64(jwk, "e");
  if (!n || !e || n->empty() || e->empty()) {
    *error = "RSA key needs base64url n and e";
    return nullptr;
  }
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                           static_cast<int>(n->size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                           static_cast<int>(e->size()), nullptr);
  KeyPtr key;
  if (BN_num_bits(bn_n) < 2048) {
    *error = "RSA key smaller than 2048 bits";
  } else if (BN_num_bits(bn_n) > kMaxRsaBits || e->size() > 8) {
    // Importing and verifying with a huge modulus costs whoever does it; a JWKS from a
    // hostile jwks_uri must not be able to make every verification expensive.
    *error = "RSA key larger than 8192 bits or with an exponent over 64 bits";
  } else {
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
    key = fromParams("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    if (!key) *error = "RSA key rejected by OpenSSL";
  }
  BN_free(bn_n);
  BN_free(bn_e);
  return key;
}

KeyPtr importEc(const Json& jwk, const std::string& crv, std::string* error) {
  const char* group = nullptr;
  size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else if (crv == "P-521") {
    group = "secp521r1";
    size = 66;
  } else {
    *error = "unsupported EC curve '" + crv + "'";
    return nullptr;
  }
  auto x = b64(jwk, "x");
  auto y = b64(jwk, "y");
  // RFC 7518 wants the full coordinate size; some libraries (PyJWT among them) drop leading
  // zero bytes, so shorter values are left-padded. Longer ones are refused.
  if (!x || !y || x->empty() || y->empty() || x->size() > size || y->size() > size) {
    *error = "EC key x and y must be at most " + std::to_string(size) + " bytes";
    return nullptr;
  }
  x->insert(0, size - x->size(), '\0');
  y->insert(0, size - y->size(), '\0');
  std::string point = "\x04" + *x + *y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  KeyPtr key = fromParams("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  if (!key) *error = "EC point is not on the curve";
  return key;
}

KeyPtr importOkp(const Json& jwk, const std::string& crv, std::string* error) {
  if (crv != "Ed25519") {
    *error = "unsupported OKP curve '" + crv + "'";
    return nullptr;
  }
  auto x = b64(jwk, "x");
  if (!x || x->size() != 32) {
    *error = "Ed25519 key x must be 32 bytes";
    return nullptr;
  }
  EVP_PKEY* k = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size());
  if (k == nullptr) {
    ERR_clear_error();
    *error = "Ed25519 key rejected by OpenSSL";
    return nullptr;
  }
  return adopt(k);
}

std::string curveOf(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) return "Ed25519";
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return "";
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1)
    return "";
  std::string g(name, len);
  if (g == "prime256v1") return "P-256";
  if (g == "secp384r1") return "P-384";
  if (g == "secp521r1") return "P-521";
  return "";
}

}  // namespace

std::optional<PublicKey> importJwk(const Json& jwk, std::string* error) {
  if (!jwk.isObject()) {
    *error = "JWK is not an object";
    return std::nullopt;
  }
  for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    if (jwk.get(priv) != nullptr) {
      *error = std::string("JWK holds private or symmetric key material ('") + priv + "')";
      return std::nullopt;
    }
  }
  PublicKey out;
  auto kty = jwk.getString("kty");
  if (!kty) {
    *error = "JWK without kty";
    return std::nullopt;
  }
  out.kty = *kty;
  for (const char* member : {"kid", "alg", "use", "crv", "x5t"}) {
    const Json* v = jwk.get(member);
    if (v != nullptr && !v->isString()) {
      *error = std::string("JWK member ") + member + " must be a string";
      return std::nullopt;
    }
  }
  out.kid = jwk.getString("kid").value_or("");
  out.alg = jwk.getString("alg").value_or("");
  out.use = jwk.getString("use").value_or("");
  out.crv = jwk.getString("crv").value_or("");
  out.x5t = jwk.getString("x5t").value_or("");
  if (out.kty == "RSA") {
    out.key = importRsa(jwk, error);
  } else if (out.kty == "EC") {
    out.key = importEc(jwk, out.crv, error);
  } else if (out.kty == "OKP") {
    out.key = importOkp(jwk, out.crv, error);
  } else {
    *error = "unsupported kty '" + out.kty + "'";
  }
  if (!out.key) return std::nullopt;
  return out;
}

std::optional<std::vector<PublicKey>> importJwks(const Json& jwks, int* skipped,
                                                 std::string* error) {
  const Json* keys = jwks.get("keys");
  if (keys == nullptr || !keys->isArray()) {
    *error = "not a JWK set (no keys array)";
    return std::nullopt;
  }
  if (keys->items().size() > kMaxKeysPerSet) {
    *error = "JWK set holds more than " + std::to_string(kMaxKeysPerSet) + " keys";
    return std::nullopt;
  }
  std::vector<PublicKey> out;
  *skipped = 0;
  for (const Json& k : keys->items()) {
    std::string why;
    if (auto key = importJwk(k, &why)) {
      out.push_back(std::move(*key));
    } else {
      ++*skipped;
      *error = why;
    }
  }
  return out;
}

std::optional<PublicKey> importCertificate(const std::string& der, std::string* error) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr) {
    ERR_clear_error();
    *error = "certificate cannot be decoded";
    return std::nullopt;
  }
  EVP_PKEY* key = X509_get_pubkey(cert);
  // RFC 7515 §4.1.7: x5t is the base64url SHA-1 digest of the DER certificate.
  unsigned char sha1[EVP_MAX_MD_SIZE];
  unsigned int sha1_len = 0;
  EVP_Digest(der.data(), der.size(), sha1, &sha1_len, EVP_sha1(), nullptr);
  std::string x5t = base64UrlEncode(std::string(reinterpret_cast<char*>(sha1), sha1_len));
  struct tm nb {
  }, na{};
  bool dates = ASN1_TIME_to_tm(X509_get0_notBefore(cert), &nb) == 1 &&
               ASN1_TIME_to_tm(X509_get0_notAfter(cert), &na) == 1;
  X509_free(cert);
  if (!dates) {
    EVP_PKEY_free(key);
    *error = "certificate validity cannot be read";
    return std::nullopt;
  }
  if (key == nullptr) {
    ERR_clear_error();
    *error = "certificate has no usable public key";
    return std::nullopt;
  }
  PublicKey out;
  out.key = adopt(key);
  out.x5t = x5t;
  out.not_before = timegm(&nb);
  out.not_after = timegm(&na);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      out.kty = "RSA";
      if (EVP_PKEY_get_bits(key) < 2048) {
        *error = "RSA key smaller than 2048 bits";
        return std::nullopt;
      }
      if (EVP_PKEY_get_bits(key) > kMaxRsaBits) {
        *error = "RSA key larger than 8192 bits";
        return std::nullopt;
      }
      break;
    case EVP_PKEY_EC:
      out.kty = "EC";
      break;
    case EVP_PKEY_ED25519:
      out.kty = "OKP";
      break;
    default:
      *error = "unsupported certificate key type";
      return std::nullopt;
  }
  out.crv = curveOf(key);
  return out;
}

bool keyFitsAlgorithm(const PublicKey& key, const std::string& alg) {
  if (!key.key) return false;
  if (!key.alg.empty() && key.alg != alg) return false;
  if (!key.use.empty() && key.use != "sig") return false;
  int id = EVP_PKEY_get_base_id(key.key.get());
  if (alg == "RS256" || alg == "RS384" || alg == "RS512" || alg == "PS256" || alg == "PS384" ||
      alg == "PS512") {
    return id == EVP_PKEY_RSA && EVP_PKEY_get_bits(key.key.get()) >= 2048;
  }
  std::string crv = curveOf(key.key.get());
  if (alg == "ES256") return id == EVP_PKEY_EC && crv == "P-256";
  if (alg == "ES384") return id == EVP_PKEY_EC && crv == "P-384";
  if (alg == "ES512") return id == EVP_PKEY_EC && crv == "P-521";
  if (alg == "EdDSA") return id == EVP_PKEY_ED25519;
  return false;
}

}  // namespace idgate::jose
