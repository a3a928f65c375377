#include <idgate/jose/base64url.h>
#include <idgate/jose/jws.h>
#include <idgate/jose/pkey_ctx_cache.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <algorithm>

namespace idgate::jose {
namespace {

bool decodeSegment(std::string_view seg, std::string* out) {
  auto d = base64UrlDecode(seg);
  if (!d) return false;
  *out = std::move(*d);
  return true;
}

/// R||S (JWS) to DER (OpenSSL), refusing wrong lengths and r, s outside [1, n-1].
/// The order of a named curve, from groups built once per process: building a group (and its
/// Montgomery context) for every signature cost about a sixth of an ES256 verification. Freed
/// when the module is: a plugin compiles this file in, and a plugin unloaded by a live reload
/// lost its groups with its statics (a leak report in the sanitizer run, once per reload).
const BIGNUM* curveOrder(int nid) {
  using Group = std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)>;
  static const Group p256(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  static const Group p384(EC_GROUP_new_by_curve_name(NID_secp384r1), EC_GROUP_free);
  static const Group p521(EC_GROUP_new_by_curve_name(NID_secp521r1), EC_GROUP_free);
  const EC_GROUP* g = nid == NID_X9_62_prime256v1 ? p256.get()
                      : nid == NID_secp384r1      ? p384.get()
                      : nid == NID_secp521r1      ? p521.get()
                                                  : nullptr;
  return g ? EC_GROUP_get0_order(g) : nullptr;
}

bool ecdsaDer(const std::string& raw, int nid, size_t field, std::string* der) {
  if (raw.size() != 2 * field) return false;
  const BIGNUM* order = curveOrder(nid);
  if (order == nullptr) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(field), nullptr);
  BIGNUM* s = BN_bin2bn(p + field, static_cast<int>(field), nullptr);
  bool ok =
      r && s && !BN_is_zero(r) && !BN_is_zero(s) && BN_cmp(r, order) < 0 && BN_cmp(s, order) < 0;
  if (!ok) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* buf = nullptr;
  int len = i2d_ECDSA_SIG(sig, &buf);
  ECDSA_SIG_free(sig);
  if (len <= 0) return false;
  der->assign(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return true;
}

}  // namespace

bool isAsymmetricAlgorithm(const std::string& alg) {
  static const char* const kAlgs[] = {"RS256", "RS384", "RS512", "PS256", "PS384",
                                      "PS512", "ES256", "ES384", "ES512", "EdDSA"};
  return std::find(std::begin(kAlgs), std::end(kAlgs), alg) != std::end(kAlgs);
}

bool isHmacAlgorithm(const std::string& alg) {
  return alg == "HS256" || alg == "HS384" || alg == "HS512";
}

size_t hmacKeyMinimumBytes(const std::string& alg) {
  if (alg == "HS384") return 48;
  if (alg == "HS512") return 64;
  return 32;
}

Status parseCompactJws(std::string_view token, const JwsLimits& limits, CompactJws* out) {
  if (token.size() > limits.max_token_bytes) return Status::kTooLarge;
  size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return Status::kMalformed;
  size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return Status::kMalformed;
  }
  std::string header_text, payload_text;
  if (d1 == 0 || d2 == d1 + 1 || !decodeSegment(token.substr(0, d1), &header_text) ||
      !decodeSegment(token.substr(d1 + 1, d2 - d1 - 1), &payload_text) ||
      !decodeSegment(token.substr(d2 + 1), &out->signature)) {
    return Status::kMalformed;
  }
  JsonLimits jl;
  jl.max_bytes = limits.max_token_bytes;
  auto header = parseJson(header_text, jl);
  if (!header || !header->isObject()) return Status::kBadHeader;
  auto payload = parseJson(payload_text, jl);
  if (!payload || !payload->isObject()) return Status::kMalformed;
  const Json* alg = header->get("alg");
  if (alg == nullptr || !alg->isString()) return Status::kBadHeader;
  for (const char* member : {"kid", "typ", "cty"}) {
    const Json* v = header->get(member);
    if (v != nullptr && !v->isString()) return Status::kBadHeader;
  }
  if (header->get("crit") != nullptr) return Status::kCritUnsupported;
  out->alg = alg->str();
  out->kid = header->getString("kid").value_or("");
  out->typ = header->getString("typ").value_or("");
  out->signing_input = std::string(token.substr(0, d2));
  out->header = std::move(*header);
  out->payload = std::move(*payload);
  return Status::kOk;
}

Status verifySignature(const std::string& alg, const PublicKey& key, const std::string& input,
                       const std::string& signature) {
  if (!isAsymmetricAlgorithm(alg)) return Status::kAlgNotAllowed;
  if (!keyFitsAlgorithm(key, alg)) return Status::kNoUsableKey;
  EVP_PKEY* pkey = key.key.get();
  std::string sig = signature;
  if (alg[0] == 'R' || alg[0] == 'P') {
    if (sig.size() != static_cast<size_t>(EVP_PKEY_get_size(pkey))) return Status::kBadSignature;
  } else if (alg[0] == 'E' && alg != "EdDSA") {
    int nid = alg == "ES256"   ? NID_X9_62_prime256v1
              : alg == "ES384" ? NID_secp384r1
                               : NID_secp521r1;
    size_t field = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
    if (!ecdsaDer(signature, nid, field, &sig)) return Status::kBadSignature;
  } else if (sig.size() != 64) {
    return Status::kBadSignature;  // Ed25519
  }
  bool ok = false;
  if (alg != "EdDSA") {
    ok = verifyPrehashed(pkey, alg, input, sig);  // RS, PS, ES
  } else {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();  // EdDSA signs the message itself
    ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
         EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
  }
  ERR_clear_error();
  return ok ? Status::kOk : Status::kBadSignature;
}

Status verifyHmac(const std::string& alg, const std::string& secret, const std::string& input,
                  const std::string& signature) {
  if (!isHmacAlgorithm(alg)) return Status::kAlgNotAllowed;
  if (secret.size() < hmacKeyMinimumBytes(alg)) return Status::kNoUsableKey;
  // Fetched once, freed with the module (plugins compile this file in: see curveOrder).
  static const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> hmac_mac(
      EVP_MAC_fetch(nullptr, "HMAC", nullptr), EVP_MAC_free);
  EVP_MAC* const hmac = hmac_mac.get();
  const char* digest = alg == "HS256" ? "SHA2-256" : alg == "HS384" ? "SHA2-384" : "SHA2-512";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(digest), 0),
                         OSSL_PARAM_construct_end()};
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  EVP_MAC_CTX* ctx = hmac ? EVP_MAC_CTX_new(hmac) : nullptr;
  bool ok = ctx &&
            EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                         params) == 1 &&
            EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1 &&
            EVP_MAC_final(ctx, mac, &len, sizeof(mac)) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return Status::kBadSignature;
  }
  if (signature.size() != len || CRYPTO_memcmp(mac, signature.data(), len) != 0)
    return Status::kBadSignature;
  return Status::kOk;
}

}  // namespace idgate::jose
