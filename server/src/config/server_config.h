// conf/server.xml: listeners, issuer, tokens, limits, database, admin user, keystores.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/resource_server_config.h"
#include "jwks/jwks_fetcher.h"
#include "keystore/store_file_config.h"

namespace idgate {

struct ListenerConfig {
  enum class Scheme { kHttp, kHttps };
  Scheme scheme = Scheme::kHttp;
  std::string host = "127.0.0.1";
  int port = 9443;
  std::string key_alias;  ///< HTTPS: keystore alias of the TLS key (default: KeyAlias)
};

struct DatabaseConfig {
  enum class Type { kSqlite, kPostgresql };
  Type type = Type::kSqlite;
  std::string path;        ///< sqlite: absolute file path
  std::string connection;  ///< postgresql: libpq connection string
  int pool_size = 8;
};

/// <Tls>: what every HTTPS listener offers (http/tls_settings.h applies it).
struct TlsConfig {
  bool tls12 = true;
  bool tls13 = true;
  std::string ciphers;        ///< TLS 1.2, OpenSSL syntax; empty = kDefaultTls12Ciphers
  std::string cipher_suites;  ///< TLS 1.3; empty = kDefaultTls13Suites
};

struct ServerConfig {
  std::string file;
  std::string home;
  std::string conf_dir;     ///< identity.xml, templates/: <home>/conf unless --conf moves it
  std::string dropins_dir;  ///< the plugins: <home>/dropins unless --dropins moves it
  std::string issuer;       ///< empty: derived from the first listener's bound address
  /// <PublicUrl> (repeatable): origins clients use to reach this server (a proxy or load
  /// balancer in front), accepted as token audiences beside the issuer and the listeners.
  std::vector<std::string> public_urls;
  std::vector<ListenerConfig> listeners;
  TlsConfig tls;
  int64_t access_token_lifetime_s = 3600;
  int64_t max_request_bytes = 65536;
  int threads = 16;    ///< <Http threads>: the worker pool for requests that may block
  int io_threads = 0;  ///< <Server ioThreads>: event loops; 0 = "auto" (one per core)
  DatabaseConfig database;
  std::string admin_username = "admin";
  std::string admin_password_hash;
  int64_t console_idle_timeout_s = 900;  ///< <Admin consoleIdleTimeoutSeconds>
  std::string console_role = "admin";    ///< <Admin consoleRole>: in a user's roles claim
  StoreFileConfig keystore;
  std::optional<StoreFileConfig> truststore;
  JwksFetchConfig jwks_fetch;
  int64_t client_cache_s = 5;
  int64_t jti_purge_interval_s = 60;
  int64_t jti_purge_batch = 1000;
  int64_t jti_commit_window_us = 0;  ///< <Jti commitWindowMicros>: see makeSqlJtiStore
  /// <Metrics auth="admin|none">: GET /metrics behind the admin credentials (default) or open
  /// (for a scraper on a private network).
  bool metrics_public = false;
  bool log_json = false;          ///< <Log format="text|json">
  ResourceServerConfig resource;  ///< <openidConnectClient>, <authFilter>, <basicRegistry>, <route>
};

/// Parses `file`; relative paths resolve against `home`, and `${name}` variables come from
/// `home`/bootstrap.properties (config/config_variables.h). Throws ConfigError.
ServerConfig loadServerConfig(const std::string& home, const std::string& file);

}  // namespace idgate
