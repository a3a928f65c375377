#include "tools/keytool.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "crypto/keys.h"
#include "keystore/alias.h"
#include "keystore/keystore.h"

namespace idgate {
namespace {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const char* kHelp =
    "idgate-keytool: keytool's command syntax for JKS and PKCS12 keystores\n\n"
    "Commands:\n"
    " -importcert (-import)   Imports a certificate (PEM or DER) as a trusted entry\n"
    "     -alias -file -keystore -storepass -storetype -noprompt -trustcacerts\n"
    " -list                   Lists entries   [-v] [-rfc] [-alias] -keystore -storepass\n"
    " -exportcert (-export)   Exports a certificate   -alias [-rfc] [-file] -keystore -storepass\n"
    " -delete                 Deletes an entry   -alias -keystore -storepass\n"
    " -genkeypair (-genkey)   Generates a key pair and self-signed certificate\n"
    "     -alias -keyalg RSA|EC|Ed25519 -keysize -groupname -dname -validity -sigalg -ext\n"
    "     -keystore -storepass -storetype -keypass\n"
    " -importkeystore         Imports entries from another keystore\n"
    "     -srckeystore -srcstoretype -srcstorepass -srckeypass -destkeystore -deststoretype\n"
    "     -deststorepass -destkeypass -srcalias -destalias -noprompt\n"
    " -changealias            Changes an alias   -alias -destalias -keystore -storepass\n"
    " -storepasswd            Changes the store password   -new -keystore -storepass\n"
    " -printcert              Prints a certificate   -file [-rfc]\n"
    " -help                   This list\n"
    "Passwords may be given as -storepass:env VAR or -storepass:file PATH.\n";

// Options that take no value.
const std::set<std::string> kFlags = {"-v", "-rfc", "-noprompt", "-trustcacerts"};

struct Options {
  std::string command;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;

  bool has(const std::string& k) const { return values.count(k) > 0; }
  std::string get(const std::string& k, const std::string& fallback = "") const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
  std::string need(const std::string& k) const {
    auto it = values.find(k);
    if (it == values.end()) throw UsageError("Option " + k + " is required for " + command);
    return it->second;
  }
  bool flag(const std::string& k) const { return flags.count(k) > 0; }
};

std::string canonicalCommand(const std::string& c) {
  if (c == "-import") return "-importcert";
  if (c == "-export") return "-exportcert";
  if (c == "-genkey") return "-genkeypair";
  return c;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + " (No such file or directory)");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Options parse(const std::vector<std::string>& args) {
  static const std::set<std::string> commands = {
      "-importcert",     "-list",        "-exportcert",  "-delete",    "-genkeypair",
      "-importkeystore", "-changealias", "-storepasswd", "-printcert", "-help"};
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string c = canonicalCommand(a);
    if (commands.count(c)) {
      if (!o.command.empty())
        throw UsageError("Only one command is allowed: " + o.command + " and " + a);
      o.command = c;
      continue;
    }
    if (kFlags.count(a)) {
      o.flags.insert(a);
      continue;
    }
    if (a.empty() || a[0] != '-') throw UsageError("Illegal option:  " + a);
    if (i + 1 >= args.size()) throw UsageError("Command option " + a + " needs an argument.");
    std::string value = args[++i];
    // -storepass:env VAR / -storepass:file PATH
    size_t colon = a.find(':');
    if (colon != std::string::npos) {
      std::string kind = a.substr(colon + 1);
      a = a.substr(0, colon);
      if (kind == "env") {
        const char* v = std::getenv(value.c_str());
        if (v == nullptr) throw UsageError("Cannot find environment variable: " + value);
        value = v;
      } else if (kind == "file") {
        value = readFile(value);
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      } else {
        throw UsageError("Illegal option:  " + args[i - 1]);
      }
    }
    o.values[a] = value;
  }
  if (o.command.empty()) throw UsageError("No command given; try -help");
  return o;
}

std::string timeText(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

std::string today() {
  std::time_t now = std::time(nullptr);
  struct tm tm {};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%b %d, %Y", &tm);
  return buf;
}

void printCertificate(std::ostream& out, X509* cert, bool rfc) {
  if (rfc) {
    out << crypto::certificatePem(cert);
    return;
  }
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  char* hex = BN_bn2hex(bn);
  std::string serial_text = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  for (auto& c : serial_text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out << "Owner: " << crypto::distinguishedName(X509_get_subject_name(cert), true) << "\n"
      << "Issuer: " << crypto::distinguishedName(X509_get_issuer_name(cert), true) << "\n"
      << "Serial number: " << serial_text << "\n"
      << "Valid from: " << timeText(X509_get0_notBefore(cert))
      << " until: " << timeText(X509_get0_notAfter(cert)) << "\n"
      << "Certificate fingerprints:\n"
      << "\t SHA1: " << crypto::certificateFingerprint(cert, EVP_sha1()) << "\n"
      << "\t SHA256: " << crypto::certificateSha256Fingerprint(cert) << "\n";
  int nid = X509_get_signature_nid(cert);
  out << "Signature algorithm name: " << OBJ_nid2ln(nid) << "\n";
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key != nullptr) {
    out << "Subject Public Key Algorithm: " << EVP_PKEY_get_bits(key) << "-bit "
        << (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA  ? "RSA"
            : EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "EC"
                                                       : "EdDSA")
        << " key\n";
  }
  out << "Version: " << X509_get_version(cert) + 1 << "\n";
}

struct StoreRef {
  std::string path;
  std::string type;
  std::string password;
  std::string key_password;
};

StoreRef destination(const Options& o) {
  StoreRef r;
  r.path = o.get("-keystore",
                 std::string(std::getenv("HOME") ? std::getenv("HOME") : ".") + "/.keystore");
  r.type = o.get("-storetype");
  r.password = o.need("-storepass");
  r.key_password = o.get("-keypass", r.password);
  return r;
}

Keystore openOrCreate(const StoreRef& s, bool create) {
  if (!std::filesystem::exists(s.path)) {
    if (!create) throw std::runtime_error("Keystore file does not exist: " + s.path);
    if (s.password.size() < 6)
      throw std::runtime_error("Keystore password must be at least 6 characters");
    Keystore ks;
    auto f = s.type.empty() ? Keystore::Format::kPkcs12 : parseKeystoreType(s.type);
    if (!f) throw std::runtime_error(s.type + " not found");
    ks.setFormat(*f);
    return ks;
  }
  return Keystore::load(s.path, s.type, s.password, s.key_password);
}

crypto::X509Ptr readCertificateFile(const std::string& path, std::istream& in) {
  std::string bytes;
  if (path.empty()) {
    std::stringstream s;
    s << in.rdbuf();
    bytes = s.str();
  } else {
    bytes = readFile(path);
  }
  auto cert = crypto::certificateFromPemOrDer(bytes);
  if (!cert) throw std::runtime_error("Input not an X.509 certificate");
  return cert;
}

X509_NAME* parseDname(const std::string& dname) {
  X509_NAME* n = X509_NAME_new();
  std::stringstream ss(dname);
  std::string part;
  std::vector<std::pair<std::string, std::string>> rdns;
  while (std::getline(ss, part, ',')) {
    size_t eq = part.find('=');
    if (eq == std::string::npos) throw std::runtime_error("Incorrect AVA format");
    auto trim = [](std::string s) {
      size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
      return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    rdns.emplace_back(trim(part.substr(0, eq)), trim(part.substr(eq + 1)));
  }
  // -dname is most specific first (CN=..., C=...); X.509 stores the reverse.
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (X509_NAME_add_entry_by_txt(n, it->first.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(it->second.c_str()), -1,
                                   -1, 0) != 1) {
      X509_NAME_free(n);
      ERR_clear_error();
      throw std::runtime_error("Unknown keyword " + it->first);
    }
  }
  return n;
}

crypto::PkeyPtr generateKey(const Options& o) {
  std::string alg = o.get("-keyalg", "RSA");
  for (auto& c : alg) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EVP_PKEY* key = nullptr;
  if (alg == "RSA") {
    int bits = std::stoi(o.get("-keysize", "2048"));
    if (bits < 2048) throw std::runtime_error("RSA keys must be at least 2048 bits");
    key = EVP_RSA_gen(static_cast<unsigned>(bits));
  } else if (alg == "EC") {
    std::string curve = o.get("-groupname");
    if (curve.empty()) {
      std::string size = o.get("-keysize", "256");
      curve = size == "384" ? "secp384r1" : size == "521" ? "secp521r1" : "secp256r1";
    }
    if (curve == "secp256r1") curve = "P-256";
    if (curve == "secp384r1") curve = "P-384";
    if (curve == "secp521r1") curve = "P-521";
    key = EVP_EC_gen(curve.c_str());
  } else if (alg == "ED25519" || alg == "EDDSA") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else {
    throw std::runtime_error("Cannot derive signature algorithm for " + alg);
  }
  if (key == nullptr) throw std::runtime_error("key generation failed: " + crypto::opensslError());
  return crypto::adoptPkey(key);
}

const EVP_MD* signatureDigest(const Options& o, EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) return nullptr;
  std::string sigalg = o.get("-sigalg");
  if (sigalg.find("384") != std::string::npos) return EVP_sha384();
  if (sigalg.find("512") != std::string::npos) return EVP_sha512();
  return EVP_sha256();
}

crypto::X509Ptr selfSign(EVP_PKEY* key, const Options& o) {
  crypto::X509Ptr cert = crypto::adoptX509(X509_new());
  unsigned char serial[8];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_NAME* n = parseDname(o.need("-dname"));
  long days = std::stol(o.get("-validity", "90"));
  X509_set_version(cert.get(), 2);
  X509_set_subject_name(cert.get(), n);
  X509_set_issuer_name(cert.get(), n);
  X509_NAME_free(n);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::vector<std::string> exts = {"subjectKeyIdentifier=hash"};
  if (o.has("-ext")) {
    std::string e = o.get("-ext");  // keytool form: san=dns:a,dns:b  or  SAN=...
    std::string lower = e.substr(0, e.find('='));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "san" || lower == "subjectalternativename") {
      std::string v = e.substr(e.find('=') + 1);
      std::string fixed;
      std::stringstream ss(v);
      std::string item;
      while (std::getline(ss, item, ',')) {
        size_t c = item.find(':');
        std::string kind = item.substr(0, c);
        for (auto& ch : kind) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        fixed += (fixed.empty() ? "" : ",") +
                 (kind == "DNS"     ? std::string("DNS")
                  : kind == "IP"    ? "IP"
                  : kind == "EMAIL" ? "email"
                                    : "URI") +
                 ":" + item.substr(c + 1);
      }
      exts.push_back("subjectAltName=" + fixed);
    } else {
      throw std::runtime_error("Extension not supported by idgate-keytool: " + e);
    }
  }
  for (const auto& ext : exts) {
    size_t eq = ext.find('=');
    X509_EXTENSION* x =
        X509V3_EXT_conf(nullptr, &ctx, ext.substr(0, eq).c_str(), ext.substr(eq + 1).c_str());
    if (x == nullptr) throw std::runtime_error("bad extension " + ext);
    X509_add_ext(cert.get(), x, -1);
    X509_EXTENSION_free(x);
  }
  if (X509_sign(cert.get(), key, signatureDigest(o, key)) <= 0) {
    throw std::runtime_error("signing failed: " + crypto::opensslError());
  }
  return cert;
}

void save(const Keystore& ks, const StoreRef& s) { ks.save(s.path, s.password, s.key_password); }

int cmdList(const Options& o, std::ostream& out) {
  StoreRef s = destination(o);
  Keystore ks = openOrCreate(s, false);
  bool verbose = o.flag("-v"), rfc = o.flag("-rfc");
  std::vector<const KeystoreEntry*> entries;
  if (o.has("-alias")) {
    const KeystoreEntry* e = ks.find(o.get("-alias"));
    if (e == nullptr) throw std::runtime_error("Alias <" + o.get("-alias") + "> does not exist");
    entries.push_back(e);
  } else {
    out << "Keystore type: " << toString(ks.format()) << "\nKeystore provider: idgate\n\n";
    out << "Your keystore contains " << ks.entries().size()
        << (ks.entries().size() == 1 ? " entry" : " entries") << "\n\n";
    for (const auto& e : ks.entries()) entries.push_back(&e);
  }
  for (const KeystoreEntry* e : entries) {
    if (verbose || rfc) {
      out << "Alias name: " << e->alias << "\nCreation date: " << today()
          << "\nEntry type: " << toString(e->kind) << "\n";
      if (e->kind == KeystoreEntry::Kind::kPrivateKey) {
        out << "Certificate chain length: " << e->chain.size() << "\n";
        for (size_t i = 0; i < e->chain.size(); ++i) {
          out << "Certificate[" << i + 1 << "]:\n";
          printCertificate(out, e->chain[i].get(), rfc);
        }
      } else if (e->kind == KeystoreEntry::Kind::kTrustedCertificate) {
        printCertificate(out, e->chain[0].get(), rfc);
      }
      out << "\n\n*******************************************\n************************************"
             "*******\n\n\n";
    } else {
      out << e->alias << ", " << today() << ", " << toString(e->kind) << ", \n";
      if (!e->chain.empty()) {
        out << "Certificate fingerprint (SHA-256): "
            << crypto::certificateSha256Fingerprint(e->chain[0].get()) << "\n";
      }
    }
  }
  return 0;
}

/// New aliases follow idgate's alphabet (keystore/alias.h); existing ones are read as they are.
const std::string& newAlias(const std::string& alias) {
  if (auto bad = aliasError(alias))
    throw std::runtime_error("Invalid alias <" + alias + ">: " + *bad);
  return alias;
}

int cmdImportCert(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  StoreRef s = destination(o);
  std::string alias = newAlias(o.get("-alias", "mykey"));
  Keystore ks = openOrCreate(s, true);
  auto cert = readCertificateFile(o.get("-file"), in);
  if (ks.find(alias) != nullptr) {
    err << "keytool error: java.lang.Exception: Certificate not imported, alias <" << alias
        << "> already exists\n";
    return 1;
  }
  if (!o.flag("-noprompt")) {
    printCertificate(out, cert.get(), false);
    out << "Trust this certificate? [no]:  " << std::flush;
    std::string answer;
    std::getline(in, answer);
    if (answer != "yes" && answer != "y") {
      err << "Certificate was not added to keystore\n";
      return 1;
    }
  }
  KeystoreEntry e;
  e.kind = KeystoreEntry::Kind::kTrustedCertificate;
  e.alias = alias;
  e.chain.push_back(cert);
  ks.put(e);
  save(ks, s);
  out << "Certificate was added to keystore\n";
  return 0;
}

int cmdExportCert(const Options& o, std::ostream& out) {
  StoreRef s = destination(o);
  Keystore ks = openOrCreate(s, false);
  std::string alias = o.get("-alias", "mykey");
  const KeystoreEntry* e = ks.find(alias);
  if (e == nullptr || e->chain.empty())
    throw std::runtime_error("Alias <" + alias + "> does not exist");
  std::string bytes = o.flag("-rfc") ? crypto::certificatePem(e->chain[0].get())
                                     : crypto::certificateDer(e->chain[0].get());
  if (o.has("-file")) {
    std::ofstream f(o.get("-file"), std::ios::binary);
    f << bytes;
    if (!f) throw std::runtime_error("cannot write " + o.get("-file"));
    out << "Certificate stored in file <" << o.get("-file") << ">\n";
  } else {
    out << bytes;
  }
  return 0;
}

int cmdDelete(const Options& o) {
  StoreRef s = destination(o);
  Keystore ks = openOrCreate(s, false);
  std::string alias = o.get("-alias", "mykey");
  if (!ks.remove(alias)) throw std::runtime_error("Alias <" + alias + "> does not exist");
  save(ks, s);
  return 0;
}

int cmdGenKeyPair(const Options& o, std::ostream& out) {
  StoreRef s = destination(o);
  Keystore ks = openOrCreate(s, true);
  std::string alias = newAlias(o.get("-alias", "mykey"));
  if (ks.find(alias) != nullptr) {
    throw std::runtime_error("Key pair not generated, alias <" + alias + "> already exists");
  }
  KeystoreEntry e;
  e.kind = KeystoreEntry::Kind::kPrivateKey;
  e.alias = alias;
  e.key = generateKey(o);
  e.chain.push_back(selfSign(e.key.get(), o));
  ks.put(e);
  save(ks, s);
  out << "Generating " << EVP_PKEY_get_bits(e.key.get())
      << " bit key pair and self-signed certificate for: " << o.get("-dname") << "\n";
  return 0;
}

int cmdImportKeystore(const Options& o, std::ostream& out) {
  StoreRef src;
  src.path = o.need("-srckeystore");
  src.type = o.get("-srcstoretype");
  src.password = o.need("-srcstorepass");
  src.key_password = o.get("-srckeypass", src.password);
  StoreRef dst;
  dst.path = o.need("-destkeystore");
  dst.type = o.get("-deststoretype");
  dst.password = o.need("-deststorepass");
  dst.key_password = o.get("-destkeypass", dst.password);
  Keystore from = Keystore::load(src.path, src.type, src.password, src.key_password);
  Keystore to = openOrCreate(dst, true);
  int imported = 0;
  for (const auto& e : from.entries()) {
    if (o.has("-srcalias") &&
        Keystore(std::vector<KeystoreEntry>{e}).find(o.get("-srcalias")) == nullptr)
      continue;
    KeystoreEntry copy = e;
    copy.alias = newAlias(o.has("-destalias") ? o.get("-destalias") : copy.alias);
    if (to.find(copy.alias) != nullptr && !o.flag("-noprompt")) {
      throw std::runtime_error("Existing entry alias " + copy.alias +
                               " exists; use -noprompt to overwrite");
    }
    to.put(copy);
    ++imported;
  }
  if (o.has("-srcalias") && imported == 0)
    throw std::runtime_error("Alias <" + o.get("-srcalias") + "> does not exist");
  save(to, dst);
  if (o.has("-srcalias")) {
    out << "Importing keystore " << src.path << " to " << dst.path << "...\n";
  } else {
    out << "Import command completed:  " << imported
        << " entries successfully imported, 0 entries failed or cancelled\n";
  }
  return 0;
}

int cmdChangeAlias(const Options& o) {
  StoreRef s = destination(o);
  Keystore ks = openOrCreate(s, false);
  std::string alias = o.get("-alias", "mykey");
  std::string dest = newAlias(o.need("-destalias"));
  const KeystoreEntry* e = ks.find(alias);
  if (e == nullptr) throw std::runtime_error("Alias <" + alias + "> does not exist");
  if (ks.find(dest) != nullptr)
    throw std::runtime_error("Target alias <" + dest + "> already exists");
  KeystoreEntry copy = *e;
  ks.remove(alias);
  copy.alias = dest;
  ks.put(copy);
  save(ks, s);
  return 0;
}

int cmdStorePasswd(const Options& o) {
  StoreRef s = destination(o);
  Keystore ks = openOrCreate(s, false);
  std::string fresh = o.need("-new");
  if (fresh.size() < 6) throw std::runtime_error("New password must be at least 6 characters");
  // PKCS12 (as keytool writes it) has one password for the store and its keys.
  ks.save(s.path, fresh, ks.format() == Keystore::Format::kPkcs12 ? fresh : s.key_password);
  return 0;
}

int cmdPrintCert(const Options& o, std::istream& in, std::ostream& out) {
  auto cert = readCertificateFile(o.get("-file"), in);
  printCertificate(out, cert.get(), o.flag("-rfc"));
  return 0;
}

}  // namespace

int runKeytool(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err) {
  try {
    Options o = parse(args);
    const std::string& c = o.command;
    if (c == "-help") {
      out << kHelp;
      return 0;
    }
    if (c == "-list") return cmdList(o, out);
    if (c == "-importcert") return cmdImportCert(o, in, out, err);
    if (c == "-exportcert") return cmdExportCert(o, out);
    if (c == "-delete") return cmdDelete(o);
    if (c == "-genkeypair") return cmdGenKeyPair(o, out);
    if (c == "-importkeystore") return cmdImportKeystore(o, out);
    if (c == "-changealias") return cmdChangeAlias(o);
    if (c == "-storepasswd") return cmdStorePasswd(o);
    if (c == "-printcert") return cmdPrintCert(o, in, out);
    throw UsageError("Unsupported command " + c);
  } catch (const UsageError& e) {
    err << "Illegal option usage: " << e.what() << "\n" << kHelp;
    return 1;
  } catch (const KeystoreError& e) {
    err << "keytool error: java.io.IOException: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "keytool error: java.lang.Exception: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace idgate
