#include "keystore/jks_codec.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <cctype>

#include "common/ascii.h"
#include "crypto/keys.h"

namespace idgate {
namespace {

constexpr uint32_t kMagic = 0xFEEDFEED;
constexpr int kTagPrivateKey = 1;
constexpr int kTagTrustedCert = 2;
// Sun's proprietary key protection algorithm (sun.security.provider.KeyProtector).
constexpr unsigned char kKeyProtectorOid[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                                              0x01, 0x2a, 0x02, 0x11, 0x01, 0x01};

/// Java's char[] password as bytes: UTF-16BE (ASCII and BMP only; no surrogates needed here).
std::string javaPasswordBytes(const std::string& utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = ((c & 0x1F) << 6) | (utf8[i + 1] & 0x3F);
      n = 2;
    } else if ((c >> 4) == 14 && i + 2 < utf8.size()) {
      cp = ((c & 0x0F) << 12) | ((utf8[i + 1] & 0x3F) << 6) | (utf8[i + 2] & 0x3F);
      n = 3;
    } else {
      throw KeystoreError(
          "password characters outside the Basic Multilingual Plane are not supported");
    }
    out += static_cast<char>((cp >> 8) & 0xFF);
    out += static_cast<char>(cp & 0xFF);
    i += n;
  }
  return out;
}

std::string sha1(const std::string& a, const std::string& b) {
  unsigned char md[SHA_DIGEST_LENGTH];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(md), len);
}

/// The XOR stream of KeyProtector: SHA1(password || previous digest), starting from the salt.
std::string keystream(const std::string& password, const std::string& salt, size_t length) {
  std::string out, digest = salt;
  while (out.size() < length) {
    digest = sha1(password, digest);
    out += digest;
  }
  out.resize(length);
  return out;
}

std::string storeDigest(const std::string& password_bytes, const std::string& data) {
  return sha1(password_bytes + "Mighty Aphrodite", data);
}

class Reader {
 public:
  explicit Reader(const std::string& b) : b_(b) {}
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    return v;
  }
  uint64_t u64() {
    uint64_t hi = u32();
    return (hi << 32) | u32();
  }
  std::string utf() {  // Java DataOutput.writeUTF: u16 length + modified UTF-8
    need(2);
    size_t n =
        (static_cast<unsigned char>(b_[pos_]) << 8) | static_cast<unsigned char>(b_[pos_ + 1]);
    pos_ += 2;
    return bytes(n);
  }
  std::string bytes(size_t n) {
    need(n);
    std::string out = b_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  size_t pos() const { return pos_; }

 private:
  void need(size_t n) {
    if (pos_ + n > b_.size()) throw KeystoreError("keystore file is truncated");
  }
  const std::string& b_;
  size_t pos_ = 0;
};

void putU32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xFF);
}
void putU64(std::string& out, uint64_t v) {
  putU32(out, static_cast<uint32_t>(v >> 32));
  putU32(out, static_cast<uint32_t>(v));
}
void putUtf(std::string& out, const std::string& s) {
  if (s.size() > 0xFFFF) throw KeystoreError("alias too long");
  out += static_cast<char>((s.size() >> 8) & 0xFF);
  out += static_cast<char>(s.size() & 0xFF);
  out += s;
}

crypto::PkeyPtr unprotectKey(const std::string& protected_der, const std::string& password_bytes) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(protected_der.data());
  X509_SIG* sig = d2i_X509_SIG(nullptr, &p, static_cast<long>(protected_der.size()));
  if (sig == nullptr) {
    ERR_clear_error();
    throw KeystoreError("corrupt private key entry");
  }
  const X509_ALGOR* alg = nullptr;
  const ASN1_OCTET_STRING* data = nullptr;
  X509_SIG_get0(sig, &alg, &data);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  char oid_text[64];
  OBJ_obj2txt(oid_text, sizeof(oid_text), oid, 1);
  std::string enc(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                  static_cast<size_t>(ASN1_STRING_length(data)));
  X509_SIG_free(sig);
  if (std::string(oid_text) != "1.3.6.1.4.1.42.2.17.1.1") {
    throw KeystoreError(std::string("unsupported JKS key protection ") + oid_text);
  }
  if (enc.size() < 40) throw KeystoreError("corrupt private key entry");
  std::string salt = enc.substr(0, 20);
  std::string body = enc.substr(20, enc.size() - 40);
  std::string check = enc.substr(enc.size() - 20);
  std::string stream = keystream(password_bytes, salt, body.size());
  for (size_t i = 0; i < body.size(); ++i) body[i] ^= stream[i];
  std::string expected = sha1(password_bytes, body);
  if (CRYPTO_memcmp(expected.data(), check.data(), 20) != 0) {
    throw KeystoreError("cannot recover key: wrong key password");
  }
  const unsigned char* q = reinterpret_cast<const unsigned char*>(body.data());
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &q, static_cast<long>(body.size()));
  EVP_PKEY* key = p8 ? EVP_PKCS82PKEY(p8) : nullptr;
  PKCS8_PRIV_KEY_INFO_free(p8);
  OPENSSL_cleanse(body.data(), body.size());
  if (key == nullptr) {
    ERR_clear_error();
    throw KeystoreError("unsupported private key");
  }
  return crypto::adoptPkey(key);
}

std::string protectKey(EVP_PKEY* key, const std::string& password_bytes) {
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key);
  if (p8 == nullptr) throw KeystoreError("cannot encode private key");
  unsigned char* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) throw KeystoreError("cannot encode private key");
  std::string plain(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  std::string salt(20, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), 20);
  std::string body = plain;
  std::string stream = keystream(password_bytes, salt, body.size());
  for (size_t i = 0; i < body.size(); ++i) body[i] ^= stream[i];
  std::string enc = salt + body + sha1(password_bytes, plain);
  OPENSSL_cleanse(plain.data(), plain.size());

  X509_SIG* sig = X509_SIG_new();
  X509_ALGOR* alg = nullptr;
  ASN1_OCTET_STRING* data = nullptr;
  X509_SIG_getm(sig, &alg, &data);
  const unsigned char* oid_der = kKeyProtectorOid;
  ASN1_OBJECT* oid = d2i_ASN1_OBJECT(nullptr, &oid_der, sizeof(kKeyProtectorOid));
  X509_ALGOR_set0(alg, oid, V_ASN1_NULL, nullptr);
  ASN1_OCTET_STRING_set(data, reinterpret_cast<const unsigned char*>(enc.data()),
                        static_cast<int>(enc.size()));
  unsigned char* out = nullptr;
  int out_len = i2d_X509_SIG(sig, &out);
  X509_SIG_free(sig);
  if (out_len <= 0) throw KeystoreError("cannot encode protected key");
  std::string result(reinterpret_cast<char*>(out), static_cast<size_t>(out_len));
  OPENSSL_free(out);
  return result;
}

crypto::X509Ptr readCertificate(Reader& r, uint32_t version) {
  if (version == 2) {
    std::string type = r.utf();
    if (type != "X.509") throw KeystoreError("unsupported certificate type " + type);
  }
  uint32_t len = r.u32();
  auto cert = crypto::certificateFromDer(r.bytes(len));
  if (!cert) throw KeystoreError("corrupt certificate in keystore");
  return cert;
}

}  // namespace

bool looksLikeJks(const std::string& bytes) {
  return bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
         static_cast<unsigned char>(bytes[1]) == 0xED &&
         static_cast<unsigned char>(bytes[2]) == 0xFE &&
         static_cast<unsigned char>(bytes[3]) == 0xED;
}

std::vector<KeystoreEntry> decodeJks(const std::string& bytes, const std::string& password,
                                     const std::string& key_password) {
  if (bytes.size() < 32) throw KeystoreError("keystore file is truncated");
  std::string store_pw = javaPasswordBytes(password);
  std::string data = bytes.substr(0, bytes.size() - 20);
  std::string digest = bytes.substr(bytes.size() - 20);
  if (CRYPTO_memcmp(storeDigest(store_pw, data).data(), digest.data(), 20) != 0) {
    throw KeystoreError("keystore password was incorrect");
  }
  Reader r(data);
  if (r.u32() != kMagic) throw KeystoreError("not a JKS keystore");
  uint32_t version = r.u32();
  if (version != 1 && version != 2)
    throw KeystoreError("unsupported JKS version " + std::to_string(version));
  uint32_t count = r.u32();
  std::vector<KeystoreEntry> out;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t tag = r.u32();
    KeystoreEntry e;
    e.alias = r.utf();
    r.u64();  // creation date
    if (tag == kTagPrivateKey) {
      std::string protected_key = r.bytes(r.u32());
      try {
        e.key = unprotectKey(protected_key,
                             javaPasswordBytes(key_password.empty() ? password : key_password));
      } catch (const KeystoreError&) {
        if (key_password.empty() || key_password == password) throw;
        e.key = unprotectKey(protected_key, store_pw);
      }
      e.kind = KeystoreEntry::Kind::kPrivateKey;
      uint32_t chain = r.u32();
      for (uint32_t c = 0; c < chain; ++c) e.chain.push_back(readCertificate(r, version));
    } else if (tag == kTagTrustedCert) {
      e.kind = KeystoreEntry::Kind::kTrustedCertificate;
      e.chain.push_back(readCertificate(r, version));
    } else {
      throw KeystoreError("unknown JKS entry type " + std::to_string(tag) + " (alias " + e.alias +
                          ")");
    }
    out.push_back(std::move(e));
  }
  if (r.pos() != data.size()) throw KeystoreError("trailing data in JKS keystore");
  return out;
}

std::string encodeJks(const std::vector<KeystoreEntry>& entries, const std::string& password,
                      const std::string& key_password, int64_t now_ms) {
  std::string out;
  putU32(out, kMagic);
  putU32(out, 2);
  putU32(out, static_cast<uint32_t>(entries.size()));
  std::string key_pw = javaPasswordBytes(key_password.empty() ? password : key_password);
  for (const auto& e : entries) {
    if (e.kind == KeystoreEntry::Kind::kSecret) {
      throw KeystoreError("JKS cannot hold secret key entries (alias " + e.alias + "); use PKCS12");
    }
    putU32(out, e.kind == KeystoreEntry::Kind::kPrivateKey ? kTagPrivateKey : kTagTrustedCert);
    // Java's JKS keeps aliases in lower case (it lowercases on store and on lookup); an
    // upper-case alias in the file is listed by keytool but cannot be read back by it.
    std::string alias = e.alias;
    alias = asciiLower(alias);
    putUtf(out, alias);
    putU64(out, static_cast<uint64_t>(now_ms));
    if (e.kind == KeystoreEntry::Kind::kPrivateKey) {
      std::string protected_key = protectKey(e.key.get(), key_pw);
      putU32(out, static_cast<uint32_t>(protected_key.size()));
      out += protected_key;
      putU32(out, static_cast<uint32_t>(e.chain.size()));
    }
    for (const auto& cert : e.chain) {
      putUtf(out, "X.509");
      std::string der = crypto::certificateDer(cert.get());
      putU32(out, static_cast<uint32_t>(der.size()));
      out += der;
    }
  }
  return out + storeDigest(javaPasswordBytes(password), out);
}

}  // namespace idgate
