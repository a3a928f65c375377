#include "app/home_init.h"

#include <Poco/URI.h>

#include <filesystem>
#include <stdexcept>

#include "app/runtime.h"
#include "config/identity_config.h"
#include "config/server_config.h"
#include "crypto/keys.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "keystore/keystore.h"

namespace fs = std::filesystem;

namespace idgate {

std::optional<std::string> initHome(const InitOptions& o) {
  fs::path home(o.home);
  std::error_code ec;
  if (fs::exists(home) && !(fs::is_directory(home) && fs::is_empty(home))) {
    throw std::runtime_error(o.home + " already exists and is not empty; refusing to overwrite it");
  }
  if (!o.issuer.empty()) {
    Poco::URI u(o.issuer);
    if ((u.getScheme() != "http" && u.getScheme() != "https") || u.getHost().empty() ||
        o.issuer.back() == '/') {
      throw std::runtime_error("--issuer must be an http(s) URL without a trailing slash");
    }
  }
  std::optional<std::string> generated;
  std::string password;
  if (o.admin_password) {
    password = *o.admin_password;
    if (password.size() < 8)
      throw std::runtime_error("--admin-password must be at least 8 characters");
  } else {
    password = crypto::randomToken(18);
    generated = password;
  }
  if (!fs::is_directory(o.bundled_dropins)) {
    throw std::runtime_error("bundled plugins not found at " + o.bundled_dropins);
  }

  for (const char* d : {"conf", "dropins", "data", "keystore"}) {
    fs::create_directories(home / d);
  }
  fs::permissions(home / "keystore", fs::perms::owner_all, fs::perm_options::replace);
  fs::permissions(home / "data", fs::perms::owner_all, fs::perm_options::replace);
  for (const auto& entry : fs::directory_iterator(o.bundled_dropins)) {
    if (entry.path().extension() == ".so") {
      fs::copy_file(entry.path(), home / "dropins" / entry.path().filename());
    }
  }

  std::string store_password = crypto::randomToken(24);
  Keystore ks;
  KeystoreEntry signing;
  signing.kind = KeystoreEntry::Kind::kPrivateKey;
  signing.alias = "idgate";
  signing.key = crypto::generateEcP256();
  signing.chain.push_back(crypto::selfSignedCertificate(signing.key.get(), "idgate", 825));
  ks.put(signing);
  KeystoreEntry secret;
  secret.kind = KeystoreEntry::Kind::kSecret;
  secret.alias = kSecretKeyAlias;
  secret.secret = crypto::randomBytes(32);
  ks.put(secret);
  ks.save((home / "keystore" / "idgate.p12").string(), store_password, store_password);

  std::string hash = crypto::hashPassword(password, crypto::kAdminPasswordIterations);
  writeFileAtomically((home / "conf" / "server.xml").string(),
                      defaultServerXml(o.issuer, hash, store_password), 0600);
  writeFileAtomically((home / "conf" / "identity.xml").string(), defaultIdentityXml(), 0644);
  return generated;
}

}  // namespace idgate
