#include "config/server_config.h"

#include "config/config_variables.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include "common/split.h"
#include "config/xml_element.h"
#include "crypto/password_hash.h"
#include "keystore/keystore.h"

namespace idgate {
namespace {

std::string resolve(const std::string& home, const std::string& p) {
  if (p.empty()) return p;
  Poco::Path path(p);
  if (path.isAbsolute()) return path.toString();
  return Poco::Path(Poco::Path(home).makeDirectory(), path).toString();
}

StoreFileConfig parseStore(const XmlElement& e, const std::string& home, bool key_store) {
  if (key_store) {
    e.allowOnly({"Location", "Type", "Password", "KeyAlias", "KeyPassword", "ReloadIntervalMillis",
                 "RetiredKey"},
                {});
  } else {
    e.allowOnly({"Location", "Type", "Password"}, {});
  }
  StoreFileConfig s;
  s.location = e.childText("Location", "");
  if (s.location.empty()) e.fail("<Location> is required");
  s.location = resolve(home, s.location);
  s.type = e.childText("Type", "PKCS12");
  if (!parseKeystoreType(s.type)) {
    e.child("Type")->fail("keystore type '" + s.type + "' is not supported (use PKCS12 or JKS)");
  }
  s.password = e.childText("Password", "");
  if (s.password.empty()) e.fail("<Password> is required");
  if (key_store) {
    s.key_alias = e.childText("KeyAlias", "");
    if (s.key_alias.empty()) e.fail("<KeyAlias> is required");
    s.key_password = e.childText("KeyPassword", s.password);
    s.reload_interval_ms = e.childInt("ReloadIntervalMillis", 2000, 0, 3600000);
    for (const auto& r : e.children("RetiredKey")) {
      r.allowOnly({}, {"alias", "publishUntil"});
      RetiredKeyConfig rk;
      rk.alias = r.requiredAttribute("alias");
      std::string until = r.requiredAttribute("publishUntil");
      int tzd = 0;
      Poco::DateTime dt;
      if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, until, dt, tzd)) {
        r.failAttribute(
            "publishUntil",
            "must be an ISO 8601 time such as 2026-12-31T00:00:00Z, not '" + until + "'");
      }
      rk.publish_until = dt.timestamp().epochTime() - tzd;
      s.retired.push_back(rk);
    }
  }
  return s;
}

}  // namespace

ServerConfig loadServerConfig(const std::string& home, const std::string& file) {
  const ConfigVariables variables = ConfigVariables::load(home + "/bootstrap.properties");
  XmlFile xml(file, variables);
  XmlElement root = xml.root("Server");
  root.allowOnly({"Issuer", "PublicUrl", "Tls", "Listeners", "Tokens", "Http", "Database", "Admin",
                  "Security", "JwksFetch", "Jti", "Clients", "Metrics", "Log",
                  "openidConnectClient", "authFilter", "basicRegistry", "route"},
                 {"ioThreads"});
  ServerConfig c;
  // ioThreads: the event loops; "auto" (the default) = one per core this process may use.
  if (auto io = root.attribute("ioThreads"); io && *io != "auto") {
    c.io_threads = static_cast<int>(root.intAttribute("ioThreads", 0, 1, 256));
  }
  c.file = file;
  c.home = home;
  c.conf_dir = home + "/conf";
  c.dropins_dir = home + "/dropins";

  if (auto issuer = root.child("Issuer")) {
    issuer->allowOnly({}, {});
    c.issuer = issuer->text();
    Poco::URI uri;
    try {
      uri = Poco::URI(c.issuer);
    } catch (...) {
      issuer->fail("not a URL: '" + c.issuer + "'");
    }
    if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty() ||
        !uri.getQuery().empty() || !uri.getFragment().empty() ||
        (!c.issuer.empty() && c.issuer.back() == '/')) {
      issuer->fail("must be an http(s) URL without query, fragment or trailing slash, not '" +
                   c.issuer + "'");
    }
  }

  for (const auto& pu : root.children("PublicUrl")) {
    pu.allowOnly({}, {});
    std::string url = pu.text();
    Poco::URI uri;
    try {
      uri = Poco::URI(url);
    } catch (...) {
      pu.fail("not a URL: '" + url + "'");
    }
    if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty() ||
        !uri.getUserInfo().empty() || !uri.getQuery().empty() || !uri.getFragment().empty() ||
        !(uri.getPath().empty() || uri.getPath() == "/")) {
      pu.fail(
          "must be an origin, http(s)://host[:port] without user, path, query or fragment, "
          "not '" +
          url + "'");
    }
    c.public_urls.push_back(url);
  }

  if (auto listeners = root.child("Listeners")) {
    listeners->allowOnly({"Listener"}, {});
    for (const auto& l : listeners->children("Listener")) {
      l.allowOnly({}, {"scheme", "host", "port", "keyAlias"});
      ListenerConfig lc;
      std::string scheme = l.attribute("scheme").value_or("http");
      if (scheme == "http") {
        lc.scheme = ListenerConfig::Scheme::kHttp;
      } else if (scheme == "https") {
        lc.scheme = ListenerConfig::Scheme::kHttps;
      } else {
        l.failAttribute("scheme", "must be http or https, not '" + scheme + "'");
      }
      lc.host = l.attribute("host").value_or("127.0.0.1");
      lc.port = static_cast<int>(l.intAttribute("port", 9443, 0, 65535));
      lc.key_alias = l.attribute("keyAlias").value_or("");
      c.listeners.push_back(lc);
    }
  }
  if (c.listeners.empty()) c.listeners.push_back(ListenerConfig{});

  if (auto tokens = root.child("Tokens")) {
    tokens->allowOnly({}, {"accessTokenLifetimeSeconds"});
    c.access_token_lifetime_s = tokens->intAttribute("accessTokenLifetimeSeconds", 3600, 60, 86400);
  }
  if (auto tls = root.child("Tls")) {
    tls->allowOnly({}, {"protocols", "ciphers", "cipherSuites"});
    if (auto protocols = tls->attribute("protocols")) {
      c.tls.tls12 = c.tls.tls13 = false;
      for (const auto& p : splitAny(*protocols, " ,")) {
        if (p == "TLSv1.2") {
          c.tls.tls12 = true;
        } else if (p == "TLSv1.3") {
          c.tls.tls13 = true;
        } else {
          tls->failAttribute("protocols", "'" + p +
                                              "' is not offered: TLSv1.2 and TLSv1.3 are (older "
                                              "versions have known weaknesses)");
        }
      }
      if (!c.tls.tls12 && !c.tls.tls13) {
        tls->failAttribute("protocols", "must name TLSv1.2, TLSv1.3 or both");
      }
    }
    c.tls.ciphers = tls->attribute("ciphers").value_or("");
    c.tls.cipher_suites = tls->attribute("cipherSuites").value_or("");
  }
  if (auto http = root.child("Http")) {
    http->allowOnly({}, {"maxRequestBytes", "threads"});
    c.max_request_bytes = http->intAttribute("maxRequestBytes", 65536, 1024, 16 * 1024 * 1024);
    c.threads = static_cast<int>(http->intAttribute("threads", 16, 1, 1024));
  }

  auto db = root.child("Database");
  if (!db) root.fail("<Database> is required");
  db->allowOnly({}, {"type", "path", "connection", "poolSize"});
  std::string type = db->attribute("type").value_or("sqlite");
  c.database.pool_size = static_cast<int>(db->intAttribute("poolSize", 8, 1, 256));
  if (type == "sqlite") {
    c.database.type = DatabaseConfig::Type::kSqlite;
    c.database.path = resolve(home, db->requiredAttribute("path"));
  } else if (type == "postgresql") {
    c.database.type = DatabaseConfig::Type::kPostgresql;
    c.database.connection = db->requiredAttribute("connection");
  } else {
    db->failAttribute("type", "must be sqlite or postgresql, not '" + type + "'");
  }

  if (auto jf = root.child("JwksFetch")) {
    jf->allowOnly({}, {"connectTimeoutMs", "readTimeoutMs", "maxBytes", "minCacheSeconds",
                       "maxCacheSeconds", "refetchIntervalSeconds", "allowPrivateAddresses"});
    JwksFetchConfig& j = c.jwks_fetch;
    j.connect_timeout_ms = jf->intAttribute("connectTimeoutMs", j.connect_timeout_ms, 100, 60000);
    j.read_timeout_ms = jf->intAttribute("readTimeoutMs", j.read_timeout_ms, 100, 60000);
    j.max_bytes = jf->intAttribute("maxBytes", j.max_bytes, 1024, 4 * 1024 * 1024);
    j.min_cache_s = jf->intAttribute("minCacheSeconds", j.min_cache_s, 0, 86400 * 7);
    j.max_cache_s = jf->intAttribute("maxCacheSeconds", j.max_cache_s, 0, 86400 * 30);
    if (j.max_cache_s < j.min_cache_s)
      jf->failAttribute("maxCacheSeconds", "must not be below minCacheSeconds");
    j.refetch_interval_s =
        jf->intAttribute("refetchIntervalSeconds", j.refetch_interval_s, 0, 86400);
    j.allow_private_addresses = jf->boolAttribute("allowPrivateAddresses", false);
  }
  if (auto clients = root.child("Clients")) {
    clients->allowOnly({}, {"cacheSeconds"});
    c.client_cache_s = clients->intAttribute("cacheSeconds", 5, 0, 3600);
  }
  if (auto log = root.child("Log")) {
    log->allowOnly({}, {"format"});
    const std::string format = log->attribute("format").value_or("text");
    if (format != "text" && format != "json") {
      log->failAttribute("format", "'" + format + "' is neither text nor json");
    }
    c.log_json = format == "json";
  }
  if (auto metrics = root.child("Metrics")) {
    metrics->allowOnly({}, {"auth"});
    const std::string auth = metrics->attribute("auth").value_or("admin");
    if (auth != "admin" && auth != "none") {
      metrics->failAttribute("auth", "'" + auth + "' is neither admin nor none");
    }
    c.metrics_public = auth == "none";
  }
  if (auto jti = root.child("Jti")) {
    jti->allowOnly({}, {"purgeIntervalSeconds", "purgeBatch", "commitWindowMicros"});
    c.jti_commit_window_us = jti->intAttribute("commitWindowMicros", 0, 0, 100000);
    c.jti_purge_interval_s = jti->intAttribute("purgeIntervalSeconds", 60, 1, 86400);
    c.jti_purge_batch = jti->intAttribute("purgeBatch", 1000, 1, 100000);
  }

  auto admin = root.child("Admin");
  if (!admin) root.fail("<Admin> is required");
  admin->allowOnly({}, {"username", "passwordHash", "consoleIdleTimeoutSeconds", "consoleRole"});
  c.admin_username = admin->requiredAttribute("username");
  c.console_idle_timeout_s = admin->intAttribute("consoleIdleTimeoutSeconds", 900, 1, 86400);
  if (auto role = admin->attribute("consoleRole")) {
    c.console_role = Poco::trim(*role);
    if (c.console_role.empty()) {
      admin->failAttribute("consoleRole", "must name a role (the default is admin)");
    }
  }
  c.admin_password_hash = admin->requiredAttribute("passwordHash");
  if (!crypto::isPasswordHash(c.admin_password_hash)) {
    admin->failAttribute("passwordHash",
                         "must be pbkdf2-sha256$<iterations>$<salt>$<hash> (see "
                         "'idgate-server hash-password')");
  }

  auto security = root.child("Security");
  if (!security) root.fail("<Security> is required");
  security->allowOnly({"KeyStore", "TrustStore"}, {});
  auto ks = security->child("KeyStore");
  if (!ks) security->fail("<KeyStore> is required");
  c.keystore = parseStore(*ks, home, true);
  if (auto ts = security->child("TrustStore")) c.truststore = parseStore(*ts, home, false);
  c.resource = parseResourceServer(root);
  for (const auto& client : c.resource.clients) {
    if (client.trust_store_ref == "TrustStore" && !c.truststore) {
      root.fail(
          "<openidConnectClient id=\"" + client.id +
          "\"> attribute 'trustStoreRef' names TrustStore but <Security> has no <TrustStore>");
    }
  }
  return c;
}

}  // namespace idgate
