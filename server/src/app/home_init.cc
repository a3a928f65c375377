#include "app/home_init.h"

#include "login/page_templates.h"

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
namespace {

/// The issuer as an XML attribute value that may also sit inside a comment: the XML specials are
/// escaped and, when the issuer holds "--" (which ends no comment but is not allowed in one, e.g.
/// a punycode host "xn--..."), every '-' is written as a character reference, which the parser
/// turns back into '-' once the element is uncommented.
std::string commentSafeAttribute(const std::string& value) {
  bool dashes = value.find("--") != std::string::npos;
  std::string out;
  for (char c : value) {
    if (c == '-') {
      out += dashes ? "&#45;" : "-";
    } else {
      out += htmlEscape(std::string_view(&c, 1));
    }
  }
  return out;
}

/// A commented-out <openidConnectClient> that makes GET /api/me (and the admin API, for tokens
/// with the idgate:admin scope) accept idgate's own access tokens; uncommenting it is enough.
/// Nothing in the comment may contain "--".
std::string ownTokensExample(const std::string& issuer) {
  return R"(  <!-- Accept idgate's own access tokens at GET /api/me (and at the admin API when they
       carry the idgate:admin scope): delete the two comment lines around the element below
       and restart. No keys to configure: an issuerIdentifier that names idgate's issuer is
       verified with the server's own signing keys. It must equal the issuer exactly: <Issuer>
       when set, else the first listener's URL as bound (http://127.0.0.1:9443 with the
       listener above; a port given on the command line changes it). signatureAlgorithm is
       that of the KeyAlias key (ES256 for the EC P-256 key init made). tokenReuse="true" lets
       a client use one access token until it expires (Liberty's default, false, accepts each
       token once). Every attribute: docs/configuration.md; docs/guides/resource-server.md. -->
  <!--
  <openidConnectClient id="idgate" inboundPropagation="required" signatureAlgorithm="ES256"
      issuerIdentifier=")" +
         commentSafeAttribute(issuer) + R"(" tokenReuse="true"/>
  -->
)";
}

/// server.xml as config/server_config.cc writes it, with the example above before </Server>.
std::string serverXml(const std::string& issuer, const std::string& admin_password_hash,
                      const std::string& keystore_password) {
  std::string xml = defaultServerXml(issuer, admin_password_hash, keystore_password);
  const std::string end = "</Server>\n";
  size_t at = xml.rfind(end);
  if (at != std::string::npos) {
    xml.insert(at, ownTokensExample(issuer.empty() ? "http://127.0.0.1:9443" : issuer));
  }
  return xml;
}

}  // namespace

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
                      serverXml(o.issuer, hash, store_password), 0600);
  writeFileAtomically((home / "conf" / "identity.xml").string(), defaultIdentityXml(), 0644);
  writeDefaultTemplates((home / "conf" / "templates").string());
  return generated;
}

}  // namespace idgate
