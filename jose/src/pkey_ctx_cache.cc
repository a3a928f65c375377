#include <idgate/jose/digests.h>
#include <idgate/jose/pkey_ctx_cache.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

namespace idgate::jose {
namespace {

constexpr size_t kMaxEntries = 32;

struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

struct Entry {
  EVP_PKEY* key;
  std::string alg;
  bool sign;
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx;
};

EVP_PKEY_CTX* makeCtx(EVP_PKEY* key, std::string_view alg, bool sign) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  const EVP_MD* md = jwsDigest(alg);
  if (!ctx || md == nullptr) return nullptr;
  bool ok = (sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) == 1;
  if (ok && alg[0] == 'R') ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
  if (ok && alg[0] == 'P') {
    // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash.
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
  return ok ? ctx.release() : nullptr;
}

}  // namespace

EVP_PKEY_CTX* cachedPkeyCtx(EVP_PKEY* key, std::string_view alg, bool sign) {
  thread_local std::vector<Entry> entries;
  for (const Entry& e : entries) {
    if (e.key == key && e.sign == sign && e.alg == alg) return e.ctx.get();
  }
  EVP_PKEY_CTX* ctx = makeCtx(key, alg, sign);
  if (ctx == nullptr) return nullptr;
  if (entries.size() == kMaxEntries) entries.erase(entries.begin());
  entries.push_back({key, std::string(alg), sign, std::unique_ptr<EVP_PKEY_CTX, CtxFree>(ctx)});
  return ctx;
}

bool signPrehashed(EVP_PKEY* key, std::string_view alg, std::string_view input, std::string* sig) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  size_t len = 0;
  EVP_PKEY_CTX* ctx = cachedPkeyCtx(key, alg, true);
  if (ctx == nullptr || !digestOf(alg, input, digest, &digest_len) ||
      EVP_PKEY_sign(ctx, nullptr, &len, digest, digest_len) != 1) {
    return false;
  }
  sig->resize(len);
  if (EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig->data()), &len, digest, digest_len) !=
      1) {
    return false;
  }
  sig->resize(len);
  return true;
}

bool verifyPrehashed(EVP_PKEY* key, std::string_view alg, std::string_view input,
                     std::string_view sig) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  EVP_PKEY_CTX* ctx = cachedPkeyCtx(key, alg, false);
  return ctx != nullptr && digestOf(alg, input, digest, &digest_len) &&
         EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         digest, digest_len) == 1;
}

}  // namespace idgate::jose
