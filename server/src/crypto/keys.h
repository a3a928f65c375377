// Key and certificate utilities: generation, encodings, key type names.
#pragma once

#include <optional>
#include <string>

#include "crypto/openssl_ptr.h"

namespace idgate::crypto {

enum class KeyType { kEcP256, kEcP384, kEcP521, kRsa, kEd25519, kUnsupported };

KeyType keyType(EVP_PKEY* key);

/// JWS algorithm the server signs with for a key: ES256/ES384/ES512, RS256, EdDSA.
std::optional<std::string> signingAlgorithmFor(EVP_PKEY* key);

PkeyPtr generateEcP256();

/// A self-signed certificate for `key`, subject CN=`common_name`, valid `days` days.
X509Ptr selfSignedCertificate(EVP_PKEY* key, const std::string& common_name, int days);

std::string certificateDer(X509* cert);
X509Ptr certificateFromDer(const std::string& der);
/// PEM or DER certificate bytes; nullptr when neither parses.
X509Ptr certificateFromPemOrDer(const std::string& bytes);
std::string certificatePem(X509* cert);

/// Digest of the DER certificate, upper-case hex pairs joined by ':' (keytool style).
std::string certificateFingerprint(X509* cert, const EVP_MD* md);
inline std::string certificateSha256Fingerprint(X509* cert) {
  return certificateFingerprint(cert, EVP_sha256());
}

/// A distinguished name, most specific first ("CN=a, O=b" with `spaced`, RFC 2253 "CN=a,O=b"
/// without).
std::string distinguishedName(const X509_NAME* name, bool spaced);

}  // namespace idgate::crypto
