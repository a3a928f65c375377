#include "keystore/pkcs12_codec.h"

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include <map>
#include <memory>

#include "crypto/keys.h"

#if defined(__SANITIZE_ADDRESS__)
#define IDGATE_LEAK_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IDGATE_LEAK_SANITIZER 1
#endif
#endif
#ifdef IDGATE_LEAK_SANITIZER
#include <sanitizer/lsan_interface.h>
#endif

namespace idgate {
namespace {

constexpr int kIterations = 10000;
constexpr const char* kJavaTrustedKeyUsage = "2.16.840.1.113894.746875.1.1";

struct P12Free {
  void operator()(PKCS12* p) const { PKCS12_free(p); }
};
using P12Ptr = std::unique_ptr<PKCS12, P12Free>;

std::string friendlyName(const PKCS12_SAFEBAG* bag) {
  char* name = PKCS12_get_friendlyname(const_cast<PKCS12_SAFEBAG*>(bag));
  if (name == nullptr) return {};
  std::string out(name);
  OPENSSL_free(name);
  return out;
}

std::string localKeyId(const PKCS12_SAFEBAG* bag) {
  const ASN1_TYPE* attr = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
  if (attr == nullptr || attr->type != V_ASN1_OCTET_STRING) return {};
  const ASN1_OCTET_STRING* s = attr->value.octet_string;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

struct Collected {
  std::vector<KeystoreEntry> keys;
  std::vector<std::string> key_ids;
  std::vector<std::pair<std::string, crypto::X509Ptr>> certs;  // (localKeyId, cert)
  std::vector<std::string> cert_names;
  std::vector<KeystoreEntry> secrets;
};

/// Takes ownership of `key` (may be null: unsupported key).
void addKey(const PKCS12_SAFEBAG* bag, EVP_PKEY* key, Collected& out) {
  if (key == nullptr) throw KeystoreError("unsupported private key");
  KeystoreEntry e;
  e.kind = KeystoreEntry::Kind::kPrivateKey;
  e.alias = friendlyName(bag);
  e.key = crypto::adoptPkey(key);
  out.keys.push_back(std::move(e));
  out.key_ids.push_back(localKeyId(bag));
}

void collectBag(const PKCS12_SAFEBAG* bag, const std::string& key_password,
                const std::string& password, Collected& out) {
  switch (PKCS12_SAFEBAG_get_nid(bag)) {
    case NID_pkcs8ShroudedKeyBag: {
      PKCS8_PRIV_KEY_INFO* p8 =
          PKCS12_decrypt_skey(bag, key_password.c_str(), static_cast<int>(key_password.size()));
      if (p8 == nullptr && key_password != password) {
        ERR_clear_error();
        p8 = PKCS12_decrypt_skey(bag, password.c_str(), static_cast<int>(password.size()));
      }
      if (p8 == nullptr) throw KeystoreError("cannot decrypt private key: wrong key password");
      std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> info(
          p8, PKCS8_PRIV_KEY_INFO_free);
      addKey(bag, EVP_PKCS82PKEY(info.get()), out);
      break;
    }
    case NID_keyBag:
      addKey(bag, EVP_PKCS82PKEY(PKCS12_SAFEBAG_get0_p8inf(bag)), out);
      break;
    case NID_certBag: {
      X509* cert = PKCS12_SAFEBAG_get1_cert(bag);
      if (cert == nullptr) throw KeystoreError("unsupported certificate bag");
      out.certs.emplace_back(localKeyId(bag), crypto::adoptX509(cert));
      out.cert_names.push_back(friendlyName(bag));
      break;
    }
    case NID_secretBag: {
      const ASN1_TYPE* obj = PKCS12_SAFEBAG_get0_bag_obj(bag);
      if (obj == nullptr || obj->type != V_ASN1_OCTET_STRING) {
        throw KeystoreError("unsupported secret bag");
      }
      KeystoreEntry e;
      e.kind = KeystoreEntry::Kind::kSecret;
      e.alias = friendlyName(bag);
      e.secret.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(obj->value.octet_string)),
                      static_cast<size_t>(ASN1_STRING_length(obj->value.octet_string)));
      out.secrets.push_back(std::move(e));
      break;
    }
    default:
      throw KeystoreError("unsupported PKCS#12 bag type");
  }
}

}  // namespace

const char* toString(KeystoreEntry::Kind kind) {
  switch (kind) {
    case KeystoreEntry::Kind::kPrivateKey:
      return "PrivateKeyEntry";
    case KeystoreEntry::Kind::kTrustedCertificate:
      return "trustedCertEntry";
    case KeystoreEntry::Kind::kSecret:
      return "SecretKeyEntry";
  }
  return "unknown";
}

std::vector<KeystoreEntry> decodePkcs12(const std::string& bytes, const std::string& password,
                                        const std::string& key_password) {
  // Legacy PKCS#12 (RC2-40 certificate safes, 3DES keys, SHA-1 MAC) needs OpenSSL's legacy
  // provider; loading it explicitly also requires loading the default one. Both stay loaded for
  // the life of the process, their handles held here.
  struct Providers {
    OSSL_PROVIDER* default_provider;
    OSSL_PROVIDER* legacy_provider;
  };
  static const Providers providers = [] {
#ifdef IDGATE_LEAK_SANITIZER
    // OpenSSL 3.0 loses the legacy provider's child library context (openssl/openssl#15772),
    // once per process: not idgate's leak, and kept out of the sanitizer run's reports.
    __lsan::ScopedDisabler openssl_15772;
#endif
    Providers loaded{OSSL_PROVIDER_try_load(nullptr, "default", 1),
                     OSSL_PROVIDER_try_load(nullptr, "legacy", 1)};
    ERR_clear_error();
    return loaded;
  }();
  (void)providers;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  P12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
  if (!p12) {
    ERR_clear_error();
    throw KeystoreError("not a PKCS#12 file, or truncated");
  }
  if (!PKCS12_mac_present(p12.get()) && !password.empty()) {
    // Without a MAC nothing checks the password or the integrity of the certificates: a
    // truststore without one would load with any password. Refuse it.
    throw KeystoreError("the PKCS#12 file has no integrity MAC; refusing it");
  }
  if (PKCS12_mac_present(p12.get()) &&
      PKCS12_verify_mac(p12.get(), password.c_str(), static_cast<int>(password.size())) != 1) {
    ERR_clear_error();
    throw KeystoreError("keystore password was incorrect");
  }
  STACK_OF(PKCS7)* safes = PKCS12_unpack_authsafes(p12.get());
  if (safes == nullptr) throw KeystoreError("corrupt PKCS#12 contents");
  Collected c;
  try {
    for (int i = 0; i < sk_PKCS7_num(safes); ++i) {
      PKCS7* p7 = sk_PKCS7_value(safes, i);
      STACK_OF(PKCS12_SAFEBAG)* bags = nullptr;
      int nid = OBJ_obj2nid(p7->type);
      if (nid == NID_pkcs7_data) {
        bags = PKCS12_unpack_p7data(p7);
      } else if (nid == NID_pkcs7_encrypted) {
        bags = PKCS12_unpack_p7encdata(p7, password.c_str(), static_cast<int>(password.size()));
      }
      if (bags == nullptr) throw KeystoreError("cannot read PKCS#12 safe");
      try {
        for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); ++j) {
          collectBag(sk_PKCS12_SAFEBAG_value(bags, j), key_password, password, c);
        }
      } catch (...) {
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
        throw;
      }
      sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
  } catch (...) {
    sk_PKCS7_pop_free(safes, PKCS7_free);
    ERR_clear_error();
    throw;
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);

  // Attach certificates to keys by localKeyId (leaf first); the rest are trusted entries.
  std::vector<bool> used(c.certs.size(), false);
  for (size_t k = 0; k < c.keys.size(); ++k) {
    for (size_t i = 0; i < c.certs.size(); ++i) {
      if (!used[i] && !c.key_ids[k].empty() && c.certs[i].first == c.key_ids[k]) {
        c.keys[k].chain.push_back(c.certs[i].second);
        used[i] = true;
      }
    }
    // Chain certificates (no localKeyId, no name): follow the issuer links from the leaf, so
    // each key gets its own chain when a file holds several.
    while (!c.keys[k].chain.empty()) {
      X509* last = c.keys[k].chain.back().get();
      if (X509_check_issued(last, last) == X509_V_OK) break;  // self-signed: the chain ends
      bool found = false;
      for (size_t i = 0; i < c.certs.size() && !found; ++i) {
        if (!used[i] && c.certs[i].first.empty() && c.cert_names[i].empty() &&
            X509_check_issued(c.certs[i].second.get(), last) == X509_V_OK) {
          c.keys[k].chain.push_back(c.certs[i].second);
          used[i] = true;
          found = true;
        }
      }
      if (!found) break;
    }
  }
  // Unnamed certificates no issuer link claimed: with a single key they are its chain in file
  // order (as `openssl pkcs12 -export -certfile` writes them); otherwise trusted entries.
  for (size_t i = 0; i < c.certs.size(); ++i) {
    if (used[i] || !c.certs[i].first.empty() || !c.cert_names[i].empty()) continue;
    if (c.keys.size() == 1) {
      c.keys[0].chain.push_back(c.certs[i].second);
      used[i] = true;
    } else {
      std::string fp = crypto::certificateSha256Fingerprint(c.certs[i].second.get());
      fp.erase(std::remove(fp.begin(), fp.end(), ':'), fp.end());
      c.cert_names[i] = "cert-" + fp.substr(0, 16);
    }
  }
  std::vector<KeystoreEntry> out = std::move(c.keys);
  for (size_t i = 0; i < c.certs.size(); ++i) {
    if (used[i]) continue;
    KeystoreEntry e;
    e.kind = KeystoreEntry::Kind::kTrustedCertificate;
    e.alias = c.cert_names[i];
    e.chain.push_back(c.certs[i].second);
    out.push_back(std::move(e));
  }
  for (auto& s : c.secrets) out.push_back(std::move(s));
  return out;
}

std::string encodePkcs12(const std::vector<KeystoreEntry>& entries, const std::string& password,
                         const std::string& key_password) {
  STACK_OF(PKCS12_SAFEBAG)* cert_bags = nullptr;
  STACK_OF(PKCS12_SAFEBAG)* key_bags = nullptr;
  STACK_OF(PKCS12_SAFEBAG)* secret_bags = nullptr;
  STACK_OF(PKCS7)* safes = nullptr;
  auto fail = [&](const char* what) {
    sk_PKCS12_SAFEBAG_pop_free(cert_bags, PKCS12_SAFEBAG_free);
    sk_PKCS12_SAFEBAG_pop_free(key_bags, PKCS12_SAFEBAG_free);
    sk_PKCS12_SAFEBAG_pop_free(secret_bags, PKCS12_SAFEBAG_free);
    sk_PKCS7_pop_free(safes, PKCS7_free);
    throw KeystoreError(std::string(what) + ": " + crypto::opensslError());
  };
  int counter = 0;
  for (const auto& e : entries) {
    const char* name = e.alias.c_str();
    if (e.kind == KeystoreEntry::Kind::kPrivateKey) {
      std::string id = "idgate-key-" + std::to_string(++counter);
      PKCS12_SAFEBAG* kb = PKCS12_add_key(&key_bags, e.key.get(), 0, kIterations, NID_aes_256_cbc,
                                          key_password.c_str());
      if (kb == nullptr || PKCS12_add_friendlyname(kb, name, -1) != 1 ||
          PKCS12_add_localkeyid(kb, reinterpret_cast<unsigned char*>(id.data()),
                                static_cast<int>(id.size())) != 1) {
        fail("cannot add private key");
      }
      for (size_t i = 0; i < e.chain.size(); ++i) {
        PKCS12_SAFEBAG* cb = PKCS12_add_cert(&cert_bags, e.chain[i].get());
        if (cb == nullptr) fail("cannot add certificate");
        if (i == 0 && (PKCS12_add_friendlyname(cb, name, -1) != 1 ||
                       PKCS12_add_localkeyid(cb, reinterpret_cast<unsigned char*>(id.data()),
                                             static_cast<int>(id.size())) != 1)) {
          fail("cannot name certificate");
        }
      }
    } else if (e.kind == KeystoreEntry::Kind::kTrustedCertificate) {
      PKCS12_SAFEBAG* cb = PKCS12_add_cert(&cert_bags, e.chain.at(0).get());
      if (cb == nullptr || PKCS12_add_friendlyname(cb, name, -1) != 1)
        fail("cannot add certificate");
      // Java's keytool lists a certificate as trustedCertEntry only with Oracle's trust
      // attribute (value: anyExtendedKeyUsage), as `openssl pkcs12 -jdktrust` writes it.
      ASN1_OBJECT* any_usage = OBJ_txt2obj("2.5.29.37.0", 1);
      int ok = PKCS12_add1_attr_by_txt(cb, kJavaTrustedKeyUsage, V_ASN1_OBJECT,
                                       reinterpret_cast<const unsigned char*>(any_usage), -1);
      ASN1_OBJECT_free(any_usage);
      if (ok != 1) fail("cannot mark certificate trusted");
    } else {
      PKCS12_SAFEBAG* sb = PKCS12_add_secret(
          &secret_bags, NID_aes_256_gcm, reinterpret_cast<const unsigned char*>(e.secret.data()),
          static_cast<int>(e.secret.size()));
      if (sb == nullptr || PKCS12_add_friendlyname(sb, name, -1) != 1) fail("cannot add secret");
    }
  }
  if (cert_bags != nullptr &&
      PKCS12_add_safe(&safes, cert_bags, NID_aes_256_cbc, kIterations, password.c_str()) != 1) {
    fail("cannot add certificate safe");
  }
  if (key_bags != nullptr && PKCS12_add_safe(&safes, key_bags, -1, 0, nullptr) != 1) {
    fail("cannot add key safe");
  }
  // Secret keys have no shrouding of their own: they only travel in an encrypted safe.
  if (secret_bags != nullptr &&
      PKCS12_add_safe(&safes, secret_bags, NID_aes_256_cbc, kIterations, password.c_str()) != 1) {
    fail("cannot add secret safe");
  }
  if (safes == nullptr) {  // an empty keystore (keytool -delete of the last entry)
    STACK_OF(PKCS12_SAFEBAG)* empty = sk_PKCS12_SAFEBAG_new_null();
    int ok = empty != nullptr && PKCS12_add_safe(&safes, empty, -1, 0, nullptr) == 1;
    sk_PKCS12_SAFEBAG_free(empty);
    if (!ok) fail("cannot write an empty keystore");
  }
  P12Ptr p12(PKCS12_add_safes(safes, 0));
  if (!p12 ||
      PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, kIterations, EVP_sha256()) != 1) {
    fail("cannot finish PKCS#12");
  }
  sk_PKCS12_SAFEBAG_pop_free(cert_bags, PKCS12_SAFEBAG_free);
  sk_PKCS12_SAFEBAG_pop_free(key_bags, PKCS12_SAFEBAG_free);
  sk_PKCS12_SAFEBAG_pop_free(secret_bags, PKCS12_SAFEBAG_free);
  sk_PKCS7_pop_free(safes, PKCS7_free);
  unsigned char* buf = nullptr;
  int len = i2d_PKCS12(p12.get(), &buf);
  if (len <= 0) throw KeystoreError("cannot encode PKCS#12");
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

}  // namespace idgate
