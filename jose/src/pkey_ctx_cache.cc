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

}  // namespace idgate::jose
