#include "keystore/keystore.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto/keys.h"
#include "keystore/keystore_holder.h"
#include "test_support.h"

namespace idgate {
namespace {

Keystore sampleStore() {
  Keystore ks;
  KeystoreEntry key;
  key.kind = KeystoreEntry::Kind::kPrivateKey;
  key.alias = "IdGate";
  key.key = crypto::generateEcP256();
  key.chain.push_back(crypto::selfSignedCertificate(key.key.get(), "idgate", 30));
  ks.put(key);
  KeystoreEntry cert;
  cert.kind = KeystoreEntry::Kind::kTrustedCertificate;
  cert.alias = "nwU59qy9AsDqftmwLcfmkvOhvuYa";
  auto other = crypto::generateEcP256();
  cert.chain.push_back(crypto::selfSignedCertificate(other.get(), "client", 30));
  ks.put(cert);
  KeystoreEntry secret;
  secret.kind = KeystoreEntry::Kind::kSecret;
  secret.alias = "idgate-secret-key";
  secret.secret = std::string(32, 'z');
  ks.put(secret);
  return ks;
}

TEST(KeystoreTest, RoundTripsEveryEntryKind) {
  test::TempDir dir;
  Keystore ks = sampleStore();
  ks.save(dir.file("ks.p12"), "storepass", "keypass");
  Keystore loaded = Keystore::load(dir.file("ks.p12"), "PKCS12", "storepass", "keypass");
  ASSERT_EQ(loaded.entries().size(), 3u);
  const KeystoreEntry* key = loaded.find("idgate");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->kind, KeystoreEntry::Kind::kPrivateKey);
  EXPECT_EQ(key->alias, "IdGate") << "alias kept as written";
  ASSERT_EQ(key->chain.size(), 1u);
  EXPECT_EQ(EVP_PKEY_eq(key->key.get(), ks.find("IdGate")->key.get()), 1);
  const KeystoreEntry* cert = loaded.find("NWU59QY9ASDQFTMWLCFMKVOHVUYA");
  ASSERT_NE(cert, nullptr) << "lookup ignores case";
  EXPECT_EQ(cert->kind, KeystoreEntry::Kind::kTrustedCertificate);
  EXPECT_EQ(crypto::certificateDer(cert->chain[0].get()),
            crypto::certificateDer(ks.find("nwU59qy9AsDqftmwLcfmkvOhvuYa")->chain[0].get()));
  EXPECT_EQ(loaded.find("idgate-secret-key")->secret, std::string(32, 'z'));
}

TEST(KeystoreTest, SecretKeyIsNotStoredInClear) {
  test::TempDir dir;
  sampleStore().save(dir.file("ks.p12"), "storepass", "storepass");
  std::ifstream in(dir.file("ks.p12"), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str().find(std::string(32, 'z')), std::string::npos);
}

TEST(KeystoreTest, WrongPasswordIsAClearError) {
  test::TempDir dir;
  sampleStore().save(dir.file("ks.p12"), "storepass", "storepass");
  try {
    Keystore::load(dir.file("ks.p12"), "PKCS12", "wrong", "wrong");
    FAIL() << "expected KeystoreError";
  } catch (const KeystoreError& e) {
    EXPECT_STREQ(e.what(), "keystore password was incorrect");
  }
}

TEST(KeystoreTest, TruncatedFileIsAClearError) {
  test::TempDir dir;
  sampleStore().save(dir.file("ks.p12"), "storepass", "storepass");
  std::ifstream in(dir.file("ks.p12"), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  test::writeFile(dir.file("cut.p12"), s.str().substr(0, s.str().size() / 2));
  EXPECT_THROW(Keystore::load(dir.file("cut.p12"), "PKCS12", "storepass", ""), KeystoreError);
}

TEST(KeystoreTest, OnlyARegularFileOfSaneSizeIsRead) {
  test::TempDir dir;
  // A FIFO would block the reader forever: refused at once.
  ASSERT_EQ(mkfifo(dir.file("fifo.p12").c_str(), 0600), 0);
  try {
    Keystore::load(dir.file("fifo.p12"), "", "storepass", "");
    FAIL() << "expected KeystoreError";
  } catch (const KeystoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              "keystore file " + dir.file("fifo.p12") + " is not a regular file");
  }
  {  // A sparse file one byte over the limit: refused without reading it.
    std::ofstream big(dir.file("big.p12"), std::ios::binary);
    big.seekp(kMaxKeystoreBytes);
    big.put('x');
  }
  try {
    Keystore::load(dir.file("big.p12"), "", "storepass", "");
    FAIL() << "expected KeystoreError";
  } catch (const KeystoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              "keystore file " + dir.file("big.p12") + " is larger than 64 MiB");
  }
  try {
    Keystore::load(dir.file("missing.p12"), "", "storepass", "");
    FAIL() << "expected KeystoreError";
  } catch (const KeystoreError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read keystore file " + dir.file("missing.p12") +
                                         ": No such file or directory");
  }
}

TEST(KeystoreTest, JksRoundTripsKeysAndTrustedCertificates) {
  test::TempDir dir;
  Keystore ks = sampleStore();
  ks.remove("idgate-secret-key");
  ks.setFormat(Keystore::Format::kJks);
  ks.save(dir.file("ks.jks"), "changeit", "keypass");
  Keystore loaded = Keystore::load(dir.file("ks.jks"), "JKS", "changeit", "keypass");
  EXPECT_EQ(loaded.format(), Keystore::Format::kJks);
  ASSERT_EQ(loaded.entries().size(), 2u);
  const KeystoreEntry* key = loaded.find("IDGATE");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->kind, KeystoreEntry::Kind::kPrivateKey);
  EXPECT_EQ(EVP_PKEY_eq(key->key.get(), ks.find("IdGate")->key.get()), 1);
  EXPECT_EQ(loaded.find("nwu59qy9asdqftmwlcfmkvohvuya")->kind,
            KeystoreEntry::Kind::kTrustedCertificate);
}

TEST(KeystoreTest, JksPasswordsAreChecked) {
  test::TempDir dir;
  Keystore ks = sampleStore();
  ks.remove("idgate-secret-key");
  ks.setFormat(Keystore::Format::kJks);
  ks.save(dir.file("ks.jks"), "changeit", "keypass");
  try {
    Keystore::load(dir.file("ks.jks"), "", "wrong", "keypass");
    FAIL();
  } catch (const KeystoreError& e) {
    EXPECT_STREQ(e.what(), "keystore password was incorrect");
  }
  try {
    Keystore::load(dir.file("ks.jks"), "", "changeit", "wrongkey");
    FAIL();
  } catch (const KeystoreError& e) {
    EXPECT_STREQ(e.what(), "cannot recover key: wrong key password");
  }
}

TEST(KeystoreTest, JksCannotHoldSecretKeys) {
  test::TempDir dir;
  Keystore ks = sampleStore();
  ks.setFormat(Keystore::Format::kJks);
  EXPECT_THROW(ks.save(dir.file("ks.jks"), "changeit", ""), KeystoreError);
  EXPECT_FALSE(std::filesystem::exists(dir.file("ks.jks"))) << "nothing written";
}

TEST(KeystoreTest, TypeIsACheckNotAGuess) {
  test::TempDir dir;
  Keystore ks = sampleStore();
  ks.save(dir.file("ks.p12"), "changeit", "");
  try {
    Keystore::load(dir.file("ks.p12"), "JKS", "changeit", "");
    FAIL();
  } catch (const KeystoreError& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("ks.p12") + " is a PKCS12 keystore, not JKS");
  }
}

TEST(KeystoreTest, PutReplacesAliasIgnoringCase) {
  Keystore ks = sampleStore();
  KeystoreEntry e;
  e.kind = KeystoreEntry::Kind::kSecret;
  e.alias = "IDGATE-SECRET-KEY";
  e.secret = "x";
  ks.put(e);
  EXPECT_EQ(ks.entries().size(), 3u);
  EXPECT_EQ(ks.find("idgate-secret-key")->secret, "x");
  EXPECT_TRUE(ks.remove("idgate"));
  EXPECT_EQ(ks.find("IdGate"), nullptr);
}

TEST(KeystoreTest, Pkcs12WithoutMacIsRefusedWhenAPasswordIsSet) {
  // Without a MAC nothing would check the password: a truststore would load with any.
  test::TempDir dir;
  auto key = crypto::generateEcP256();
  auto cert = crypto::selfSignedCertificate(key.get(), "client", 30);
  char name[] = "client";
  PKCS12* p12 = PKCS12_create("storepass", name, nullptr, cert.get(), nullptr, -1, -1, 0, -1, 0);
  ASSERT_NE(p12, nullptr);
  unsigned char* der = nullptr;
  int len = i2d_PKCS12(p12, &der);
  PKCS12_free(p12);
  ASSERT_GT(len, 0);
  {
    std::ofstream out(dir.file("nomac.p12"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(der), len);
  }
  OPENSSL_free(der);
  try {
    Keystore::load(dir.file("nomac.p12"), "PKCS12", "anything", "anything");
    FAIL() << "expected KeystoreError";
  } catch (const KeystoreError& e) {
    EXPECT_STREQ(e.what(), "the PKCS#12 file has no integrity MAC; refusing it");
  }
}

crypto::X509Ptr issuedBy(EVP_PKEY* subject_key, const std::string& cn, X509* ca, EVP_PKEY* ca_key) {
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, subject_key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(ca));
  X509_sign(x, ca_key, EVP_sha256());
  return crypto::adoptX509(x);
}

TEST(KeystoreTest, EachKeyKeepsItsOwnChain) {
  test::TempDir dir;
  Keystore ks;
  std::vector<crypto::X509Ptr> cas;
  for (const char* name : {"a", "b"}) {
    auto ca_key = crypto::generateEcP256();
    auto ca = crypto::selfSignedCertificate(ca_key.get(), std::string("ca-") + name, 30);
    KeystoreEntry e;
    e.kind = KeystoreEntry::Kind::kPrivateKey;
    e.alias = name;
    e.key = crypto::generateEcP256();
    e.chain.push_back(issuedBy(e.key.get(), name, ca.get(), ca_key.get()));
    e.chain.push_back(ca);
    cas.push_back(ca);
    ks.put(e);
  }
  ks.save(dir.file("two.p12"), "storepass", "storepass");
  Keystore loaded = Keystore::load(dir.file("two.p12"), "PKCS12", "storepass", "storepass");
  for (size_t i = 0; i < 2; ++i) {
    const KeystoreEntry* e = loaded.find(i == 0 ? "a" : "b");
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->chain.size(), 2u) << e->alias;
    EXPECT_EQ(crypto::certificateDer(e->chain[1].get()), crypto::certificateDer(cas[i].get()))
        << "the CA of " << e->alias;
  }
  EXPECT_EQ(loaded.entries().size(), 2u);
}

StoreFileConfig holderConfig(const std::string& path) {
  StoreFileConfig c;
  c.location = path;
  c.type = "PKCS12";
  c.password = "storepass";
  c.key_password = "storepass";
  c.reload_interval_ms = 0;
  return c;
}

std::string addSecret(Keystore& ks, const std::string& alias) {
  KeystoreEntry e;
  e.kind = KeystoreEntry::Kind::kSecret;
  e.alias = alias;
  e.secret = std::string(32, 's');
  ks.put(e);
  return {};
}

TEST(KeystoreHolderTest, UpdateKeepsAChangeMadeOnDiskBeforeTheWatcherSawIt) {
  test::TempDir dir;
  const std::string path = dir.file("ks.p12");
  sampleStore().save(path, "storepass", "storepass");
  KeystoreHolder holder(holderConfig(path), std::make_shared<const Keystore>(Keystore::load(
                                                path, "PKCS12", "storepass", "storepass")));
  // keytool adds an entry on disk; no reload has happened yet.
  Keystore on_disk = Keystore::load(path, "PKCS12", "storepass", "storepass");
  addSecret(on_disk, "from-keytool");
  on_disk.save(path + ".tmp", "storepass", "storepass");
  std::filesystem::rename(path + ".tmp", path);
  ASSERT_EQ(holder.current()->find("from-keytool"), nullptr);

  EXPECT_EQ(holder.update([](Keystore& ks) { return addSecret(ks, "from-admin-api"); }), "");
  Keystore after = Keystore::load(path, "PKCS12", "storepass", "storepass");
  EXPECT_NE(after.find("from-keytool"), nullptr) << "the on-disk change was overwritten";
  EXPECT_NE(after.find("from-admin-api"), nullptr);
  EXPECT_NE(holder.current()->find("from-keytool"), nullptr);
}

TEST(KeystoreHolderTest, UpdateIsRefusedWhileTheFileOnDiskCannotBeRead) {
  test::TempDir dir;
  const std::string path = dir.file("ks.p12");
  sampleStore().save(path, "storepass", "storepass");
  KeystoreHolder holder(holderConfig(path), std::make_shared<const Keystore>(Keystore::load(
                                                path, "PKCS12", "storepass", "storepass")));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "half-written";
  }
  std::string refused = holder.update([](Keystore& ks) { return addSecret(ks, "from-admin-api"); });
  EXPECT_EQ(refused, "the keystore file " + path +
                         " was changed on disk and cannot be read; fix it before changing it here");
  // Refused again on a second try: the watcher having seen the bad file changes nothing.
  EXPECT_FALSE(holder.update([](Keystore& ks) { return addSecret(ks, "x"); }).empty());
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "half-written") << "nothing written over the operator's file";
}

}  // namespace
}  // namespace idgate
