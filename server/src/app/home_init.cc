#include "app/home_init.h"

#include "login/page_templates.h"

#include <Poco/URI.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "app/runtime.h"
#include "config/xml_element.h"
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

/// The bundled server.xml with the issuer given to init: an <Issuer> element at the top, and
/// the own-tokens example naming it.
std::string withIssuer(std::string xml, const std::string& issuer, const fs::path& from) {
  const std::string open = "<Server>\n";
  const std::string example = "issuerIdentifier=\"http://127.0.0.1:9443\"";
  size_t at = xml.find(open);
  size_t ex = xml.find(example);
  if (at == std::string::npos || ex == std::string::npos) {
    throw std::runtime_error(from.string() +
                             " is not the bundled server.xml (no <Server> line or " +
                             "own-tokens example): cannot set the issuer in it");
  }
  xml.replace(ex, example.size(), "issuerIdentifier=\"" + commentSafeAttribute(issuer) + "\"");
  xml.insert(at + open.size(), "  <Issuer>" + htmlEscape(issuer) + "</Issuer>\n");
  return xml;
}

/// A Java properties value: backslashes and the characters the format treats specially escaped.
std::string propertyValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == ':' || c == '=' || c == '#' || c == '!') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::optional<std::string> initHome(const InitOptions& o) {
  fs::path home(o.home);
  std::error_code ec;
  if (fs::exists(home) && !(fs::is_directory(home) && fs::is_empty(home))) {
    throw std::runtime_error(o.home + " already exists and is not empty; refusing to overwrite it");
  }
  const bool own_conf = o.shared_conf.empty();
  if (!o.issuer.empty()) {
    if (!own_conf) {
      throw std::runtime_error(
          "--issuer applies to a home's own conf/; with --conf set <Issuer> in " + o.shared_conf +
          "/server.xml");
    }
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
  const fs::path conf_from = own_conf ? fs::path(o.bundled_conf) : fs::path(o.shared_conf);
  for (const char* f : {"server.xml", "identity.xml"}) {
    if (!fs::is_regular_file(conf_from / f)) {
      throw std::runtime_error((conf_from / f).string() + " not found" +
                               (own_conf ? " (the bundled conf/ templates)" : ""));
    }
  }
  if (own_conf && !fs::is_directory(o.bundled_dropins)) {
    throw std::runtime_error("bundled plugins not found at " + o.bundled_dropins);
  }

  std::vector<const char*> dirs = {"data", "keystore"};
  if (own_conf) dirs.insert(dirs.end(), {"conf", "dropins"});
  for (const char* d : dirs) fs::create_directories(home / d);
  fs::permissions(home / "keystore", fs::perms::owner_all, fs::perm_options::replace);
  fs::permissions(home / "data", fs::perms::owner_all, fs::perm_options::replace);
  if (own_conf) {
    for (const auto& entry : fs::directory_iterator(o.bundled_dropins)) {
      if (entry.path().extension() == ".so") {
        fs::copy_file(entry.path(), home / "dropins" / entry.path().filename());
      }
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

  // The secrets server.xml names as ${admin.passwordHash} and ${keystore.password}.
  std::string hash = crypto::hashPassword(password, crypto::kAdminPasswordIterations);
  writeFileAtomically((home / "bootstrap.properties").string(),
                      "# Variables of conf/server.xml (${name}); written by idgate-server init.\n"
                      "# Secret: readable by the server's user only.\n"
                      "admin.passwordHash=" +
                          propertyValue(hash) +
                          "\nkeystore.password=" + propertyValue(store_password) + "\n",
                      0600);
  if (own_conf) {
    std::string server_xml = readConfigFile((conf_from / "server.xml").string());
    if (!o.issuer.empty()) server_xml = withIssuer(server_xml, o.issuer, conf_from / "server.xml");
    writeFileAtomically((home / "conf" / "server.xml").string(), server_xml, 0644);
    writeFileAtomically((home / "conf" / "identity.xml").string(),
                        readConfigFile((conf_from / "identity.xml").string()), 0644);
    writeDefaultTemplates((home / "conf" / "templates").string());
  }
  return generated;
}

}  // namespace idgate
