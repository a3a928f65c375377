// RAII owners for OpenSSL objects.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace idgate::crypto {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

using PkeyPtr = std::shared_ptr<EVP_PKEY>;  // shared: one key serves many threads
using X509Ptr = std::shared_ptr<X509>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

inline PkeyPtr adoptPkey(EVP_PKEY* p) { return PkeyPtr(p, PkeyFree()); }
inline X509Ptr adoptX509(X509* p) { return X509Ptr(p, X509Free()); }

/// The text of OpenSSL's error queue (and clears it), for exception messages at startup.
std::string opensslError();

}  // namespace idgate::crypto
