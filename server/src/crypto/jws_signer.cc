#include "crypto/jws_signer.h"

#include <openssl/ecdsa.h>

#include <stdexcept>

#include <idgate/jose/base64url.h>
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
  // The constructor checked that alg_ fits the key, so alg_ names the key's type too.
  std::string sig;
  if (alg_ == "EdDSA") {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    size_t len = 0;
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
  if (!jose::signPrehashed(key_.get(), alg_, input, &sig)) {  // RS, PS, ES
    throw std::runtime_error("signing failed: " + opensslError());
  }
  if (alg_[0] != 'E') return sig;

  // JWS wants R || S, each the field size; OpenSSL gives DER.
  size_t field = alg_ == "ES256" ? 32 : alg_ == "ES384" ? 48 : 66;
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
