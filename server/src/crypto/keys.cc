#include "crypto/keys.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace idgate::crypto {

std::string opensslError() {
  std::string out;
  unsigned long code;
  char buf[256];
  while ((code = ERR_get_error()) != 0) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

KeyType keyType(EVP_PKEY* key) {
  if (key == nullptr) return KeyType::kUnsupported;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyType::kRsa;
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    case EVP_PKEY_EC: {
      char name[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof(name), &len) != 1) {
        return KeyType::kUnsupported;
      }
      std::string group(name, len);
      if (group == "prime256v1" || group == "P-256") return KeyType::kEcP256;
      if (group == "secp384r1" || group == "P-384") return KeyType::kEcP384;
      if (group == "secp521r1" || group == "P-521") return KeyType::kEcP521;
      return KeyType::kUnsupported;
    }
    default:
      return KeyType::kUnsupported;
  }
}

std::optional<std::string> signingAlgorithmFor(EVP_PKEY* key) {
  switch (keyType(key)) {
    case KeyType::kEcP256:
      return "ES256";
    case KeyType::kEcP384:
      return "ES384";
    case KeyType::kEcP521:
      return "ES512";
    case KeyType::kRsa:
      return "RS256";
    case KeyType::kEd25519:
      return "EdDSA";
    default:
      return std::nullopt;
  }
}

PkeyPtr generateEcP256() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("EC key generation failed: " + opensslError());
  return adoptPkey(key);
}

X509Ptr selfSignedCertificate(EVP_PKEY* key, const std::string& common_name, int days) {
  X509Ptr cert = adoptX509(X509_new());
  unsigned char serial[16];
  if (!cert || RAND_bytes(serial, sizeof(serial)) != 1) throw std::runtime_error("X509_new failed");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  bool ok =
      sn != nullptr && X509_set_version(cert.get(), 2) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400) != nullptr &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key) == 1;
  const EVP_MD* md = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (!ok || X509_sign(cert.get(), key, md) <= 0) {
    throw std::runtime_error("self-signed certificate failed: " + opensslError());
  }
  return cert;
}

std::string certificateDer(X509* cert) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  if (len <= 0) throw std::runtime_error("certificate encoding failed");
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

X509Ptr certificateFromDer(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_free(cert);
    ERR_clear_error();
    return nullptr;
  }
  return adoptX509(cert);
}

X509Ptr certificateFromPemOrDer(const std::string& bytes) {
  if (bytes.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    ERR_clear_error();
    return cert ? adoptX509(cert) : nullptr;
  }
  return certificateFromDer(bytes);
}

std::string certificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) throw std::runtime_error("PEM failed");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string distinguishedName(const X509_NAME* name, bool spaced) {
  unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (spaced) flags = (flags & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC;
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, flags);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string certificateFingerprint(X509* cert, const EVP_MD* md_type) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, md_type, md, &len);
  std::string out;
  char hex[4];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof(hex), i + 1 < len ? "%02X:" : "%02X", md[i]);
    out += hex;
  }
  return out;
}

}  // namespace idgate::crypto
