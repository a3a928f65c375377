// Per-thread EVP_PKEY_CTXs initialised once for (key, JWS algorithm, sign or verify), so a
// signature costs a digest plus EVP_PKEY_sign/verify, as `openssl speed` measures it, instead
// of a provider fetch and context set-up for every token (EVP_DigestVerifyInit: ~3–7 µs).
// A context holds a reference to its key, so a cached key's address cannot be reused by
// another key while it is cached. At most kMaxEntries contexts per thread; the oldest goes.
// So a rotated-out key stays in memory until its entries are pushed out (or the thread ends).
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace idgate::jose {

/// RS*, PS*, ES* (not EdDSA, which has no pre-hash form): the context for this thread, or
/// nullptr when OpenSSL refuses the set-up. Never free it.
EVP_PKEY_CTX* cachedPkeyCtx(EVP_PKEY* key, std::string_view alg, bool sign);

/// RS*, PS*, ES*: the digest of `input`, then the key operation on this thread's context.
/// ECDSA signatures are DER on both sides. False when OpenSSL fails or refuses.
bool signPrehashed(EVP_PKEY* key, std::string_view alg, std::string_view input, std::string* sig);
bool verifyPrehashed(EVP_PKEY* key, std::string_view alg, std::string_view input,
                     std::string_view sig);

}  // namespace idgate::jose
