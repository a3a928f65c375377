#include "crypto/jws_signer.h"

#include <openssl/ecdsa.h>

#include <stdexcept>

#include <idgate/jose/base64url.h>
#include <idgate/jose/digests.h>
#include <idgate/jose/pkey_ctx_cache.h>
#include "crypto/keys.h"

namespace idgate::crypto {

JwsSigner::JwsSigner(PkeyPtr key, std::string alg, std::string kid)
    : key_(std::move(key)), alg_(std::move(alg)), kid_(std::move(kid)) {
  auto expected = signingAlgorithmFor(key_.get());
  if (!expected || *expected != alg_) throw std::invalid_argument("algorithm does not fit the key");
}

std::string JwsSigner::sign(const std::string& typ, const std::string& payload_json) const {
  std::string header =
      "{\"alg\":\"" + alg_ + "\",\"kid\":\"" + kid_ + "\",\"typ\":\"" + typ + "\"}";
  std::string input = base64UrlEncode(header) + "." + base64UrlEncode(payload_json);
  return input + "." + base64UrlEncode(rawSignature(input));
}

std::string JwsSigner::rawSignature(const std::string& input) const {
  KeyType type = keyType(key_.get());
  std::string sig;
  size_t len = 0;
  if (type == KeyType::kEd25519) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) {
      throw std::runtime_error("signing failed: " + opensslError());
    }
    sig.resize(len);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                       input.size()) != 1) {
      throw std::runtime_error("signing failed: " + opensslError());
    }
    sig.resize(len);
    return sig;
  }
  // RS, PS, ES: a digest, then the key operation on this thread's ready context.
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  EVP_PKEY_CTX* pctx = jose::cachedPkeyCtx(key_.get(), alg_, true);
  if (pctx == nullptr || !jose::digestOf(alg_, input, digest, &digest_len) ||
      EVP_PKEY_sign(pctx, nullptr, &len, digest, digest_len) != 1) {
    throw std::runtime_error("signing failed: " + opensslError());
  }
  sig.resize(len);
  if (EVP_PKEY_sign(pctx, reinterpret_cast<unsigned char*>(sig.data()), &len, digest, digest_len) !=
      1) {
    throw std::runtime_error("signing failed: " + opensslError());
  }
  sig.resize(len);
  if (type != KeyType::kEcP256 && type != KeyType::kEcP384 && type != KeyType::kEcP521) return sig;

  // JWS wants R || S, each the field size; OpenSSL gives DER.
  size_t field = type == KeyType::kEcP256 ? 32 : type == KeyType::kEcP384 ? 48 : 66;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  if (ecdsa == nullptr) throw std::runtime_error("ECDSA signature decoding failed");
  std::string raw(2 * field, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), out, static_cast<int>(field));
  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), out + field, static_cast<int>(field));
  ECDSA_SIG_free(ecdsa);
  return raw;
}

}  // namespace idgate::crypto
