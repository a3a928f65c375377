#include "store/database.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>

#include <Poco/Data/DataException.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store_error.h"

using namespace Poco::Data::Keywords;

namespace idgate {
namespace {

// Each migration moves the schema one version up. Never edit a released one: append.
const std::vector<std::vector<std::string>> kMigrations = {
    {
        "CREATE TABLE IDGATE_CLIENT ("
        " CLIENT_ID VARCHAR(255) NOT NULL PRIMARY KEY,"
        " METADATA TEXT NOT NULL,"
        " SECRET_HASH TEXT,"
        " SECRET_SEALED TEXT,"
        " CREATED_AT BIGINT NOT NULL,"
        " UPDATED_AT BIGINT NOT NULL)",
        "CREATE TABLE IDN_OIDC_JTI ("
        " JWT_ID VARCHAR(255) NOT NULL,"
        " CLIENT_ID VARCHAR(255) NOT NULL,"
        " EXP_TIME BIGINT NOT NULL,"
        " TIME_CREATED BIGINT NOT NULL,"
        " PRIMARY KEY (CLIENT_ID, JWT_ID))",
        "CREATE INDEX IDN_OIDC_JTI_EXP ON IDN_OIDC_JTI (EXP_TIME)",
    },
    {
        // Local users (the local_users user authenticator); PASSWORD_HASH is a KDF hash.
        "CREATE TABLE IDGATE_USER ("
        " USERNAME VARCHAR(255) NOT NULL PRIMARY KEY,"
        " SUBJECT VARCHAR(255) NOT NULL UNIQUE,"
        " CLAIMS TEXT NOT NULL,"
        " PASSWORD_HASH TEXT NOT NULL,"
        " CREATED_AT BIGINT NOT NULL)",
    },
    {
        // A disabled user cannot sign in (its record and subject stay).
        "ALTER TABLE IDGATE_USER ADD COLUMN DISABLED INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE IDGATE_USER ADD COLUMN UPDATED_AT BIGINT NOT NULL DEFAULT 0",
    },
    {
        // Authorization codes (RFC 6749 §4.1): only a hash of the code is stored; USED_AT marks
        // the one exchange, so a second one is told from an unknown code.
        "CREATE TABLE IDGATE_AUTHZ_CODE ("
        " CODE_HASH VARCHAR(64) NOT NULL PRIMARY KEY,"
        " CLIENT_ID VARCHAR(255) NOT NULL,"
        " REDIRECT_URI TEXT NOT NULL,"
        " SUBJECT VARCHAR(255) NOT NULL,"
        " SCOPE TEXT NOT NULL,"
        " NONCE TEXT NOT NULL,"
        " CODE_CHALLENGE VARCHAR(64) NOT NULL,"
        " SESSION_ID VARCHAR(64) NOT NULL,"
        " AUTH_TIME BIGINT NOT NULL,"
        " EXPIRES_AT BIGINT NOT NULL,"
        " USED_AT BIGINT)",
        "CREATE INDEX IDGATE_AUTHZ_CODE_EXP ON IDGATE_AUTHZ_CODE (EXPIRES_AT)",
    },
    {
        // The interactive login: the access token a code issued (revoked if the code comes
        // back), sign-in sessions, pending authorization requests (PAR and the login and
        // consent pages), remembered consent, revoked access tokens.
        "ALTER TABLE IDGATE_AUTHZ_CODE ADD COLUMN ISSUED_JTI VARCHAR(64)",
        "ALTER TABLE IDGATE_AUTHZ_CODE ADD COLUMN ISSUED_EXP BIGINT",
        "CREATE INDEX IDGATE_AUTHZ_CODE_SESSION ON IDGATE_AUTHZ_CODE (SESSION_ID)",
        "CREATE TABLE IDGATE_LOGIN_SESSION ("
        " SESSION_HASH VARCHAR(64) NOT NULL PRIMARY KEY,"
        " SID VARCHAR(64) NOT NULL UNIQUE,"
        " SUBJECT VARCHAR(255) NOT NULL,"
        " USERNAME VARCHAR(255) NOT NULL,"
        " CLAIMS TEXT NOT NULL,"
        " ACR VARCHAR(255) NOT NULL,"
        " AMR TEXT NOT NULL,"
        " AUTH_TIME BIGINT NOT NULL,"
        " EXPIRES_AT BIGINT NOT NULL)",
        "CREATE INDEX IDGATE_LOGIN_SESSION_SUBJECT ON IDGATE_LOGIN_SESSION (SUBJECT)",
        "CREATE INDEX IDGATE_LOGIN_SESSION_EXP ON IDGATE_LOGIN_SESSION (EXPIRES_AT)",
        "CREATE TABLE IDGATE_PENDING_REQUEST ("
        " ID_HASH VARCHAR(64) NOT NULL PRIMARY KEY,"
        " KIND VARCHAR(16) NOT NULL,"
        " CLIENT_ID VARCHAR(255) NOT NULL,"
        " REQUEST TEXT NOT NULL,"
        " CSRF VARCHAR(64) NOT NULL,"
        " BROWSER_HASH VARCHAR(64) NOT NULL,"
        " EXPIRES_AT BIGINT NOT NULL,"
        " USED_AT BIGINT)",
        "CREATE INDEX IDGATE_PENDING_REQUEST_EXP ON IDGATE_PENDING_REQUEST (EXPIRES_AT)",
        "CREATE TABLE IDGATE_CONSENT ("
        " SUBJECT VARCHAR(255) NOT NULL,"
        " CLIENT_ID VARCHAR(255) NOT NULL,"
        " SCOPE TEXT NOT NULL,"
        " CREATED_AT BIGINT NOT NULL,"
        " PRIMARY KEY (SUBJECT, CLIENT_ID))",
        "CREATE TABLE IDGATE_REVOKED_TOKEN ("
        " JTI VARCHAR(64) NOT NULL PRIMARY KEY,"
        " EXPIRES_AT BIGINT NOT NULL)",
        "CREATE INDEX IDGATE_REVOKED_TOKEN_EXP ON IDGATE_REVOKED_TOKEN (EXPIRES_AT)",
    },
    {
        // Refresh tokens (the token lifecycle): under their SHA-256, in rotation families.
        "CREATE TABLE IDGATE_REFRESH_TOKEN ("
        " TOKEN_HASH VARCHAR(64) NOT NULL PRIMARY KEY,"
        " FAMILY_ID VARCHAR(64) NOT NULL,"
        " CLIENT_ID VARCHAR(255) NOT NULL,"
        " SUBJECT VARCHAR(255) NOT NULL,"
        " SCOPE TEXT NOT NULL,"
        " SESSION_ID VARCHAR(64) NOT NULL,"
        " SIGN_IN TEXT NOT NULL,"
        " ISSUED_AT BIGINT NOT NULL,"
        " EXPIRES_AT BIGINT NOT NULL,"
        " FAMILY_EXPIRES_AT BIGINT NOT NULL,"
        " USED_AT BIGINT,"
        " REVOKED INTEGER NOT NULL)",
        "CREATE INDEX IDGATE_REFRESH_TOKEN_FAMILY ON IDGATE_REFRESH_TOKEN (FAMILY_ID)",
        "CREATE INDEX IDGATE_REFRESH_TOKEN_EXP ON IDGATE_REFRESH_TOKEN (FAMILY_EXPIRES_AT)",
    },
    {
        // Revocation reaches the resource server: when a jti was revoked (other nodes read what
        // is new), the access token issued with each refresh token (a family revoked ends them
        // too), the DPoP key a public client's refresh tokens are bound to, and the one an
        // authorization code is (dpop_jkt, RFC 9449 §10).
        "ALTER TABLE IDGATE_REVOKED_TOKEN ADD COLUMN REVOKED_AT BIGINT NOT NULL DEFAULT 0",
        "CREATE INDEX IDGATE_REVOKED_TOKEN_AT ON IDGATE_REVOKED_TOKEN (REVOKED_AT)",
        "ALTER TABLE IDGATE_REFRESH_TOKEN ADD COLUMN ACCESS_JTI VARCHAR(64) NOT NULL DEFAULT ''",
        "ALTER TABLE IDGATE_REFRESH_TOKEN ADD COLUMN ACCESS_EXPIRES_AT BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE IDGATE_REFRESH_TOKEN ADD COLUMN JKT VARCHAR(64) NOT NULL DEFAULT ''",
        "ALTER TABLE IDGATE_AUTHZ_CODE ADD COLUMN DPOP_JKT VARCHAR(64) NOT NULL DEFAULT ''",
    },
};

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

}  // namespace

Database::Database(const DatabaseConfig& config)
    : postgres_(config.type == DatabaseConfig::Type::kPostgresql),
      connector_(postgres_ ? "PostgreSQL" : "SQLite"),
      connection_(postgres_ ? config.connection : config.path) {
  registerConnectors();
  if (postgres_) gate_ = std::make_unique<PostgresConnectGate>(connection_);
  try {
    if (gate_) {
      if (auto refused = gate_->check(true)) throw StoreError(*refused);
    }
    pool_ =
        std::make_unique<Poco::Data::SessionPool>(connector_, connection_, 1, config.pool_size, 60);
    if (!postgres_) {
      // WAL lets readers run beside the writer; FULL sync: a committed row survives power loss.
      // (Released before migrate(), which takes a session of its own: a pool may hold one.)
      Poco::Data::Session s = session();
      s << "PRAGMA journal_mode=WAL", now;
      s << "PRAGMA synchronous=FULL", now;
    }
    migrate();
  } catch (const StoreError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StoreError("database: " + e.displayText());
  }
}

Database::~Database() = default;

Poco::Data::Session Database::session() {
  // Poco's pool throws at once when every session is out; a burst wider than the pool waits
  // a little for one to come back instead of failing the request.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    // The pool connects only when no session is idle and it is below capacity (a full pool
    // throws exhausted, retried below): then, and only then, the gate tries first.
    if (gate_) {
      const bool connects = pool_->idle() == 0 && pool_->allocated() < pool_->capacity();
      if (auto refused = gate_->check(connects)) throw StoreError(*refused);
    }
    try {
      Poco::Data::Session s = pool_->get();
      if (!postgres_) s.setConnectionTimeout(5);  // seconds; sqlite3_busy_timeout underneath
      return s;
    } catch (const Poco::Data::SessionPoolExhaustedException& e) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw StoreError("database session: " + e.displayText());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } catch (const Poco::Exception& e) {
      if (gate_) gate_->failed(e.displayText());
      throw StoreError("database session: " + e.displayText());
    }
  }
}

Poco::Data::Session Database::dedicatedSession() {
  if (gate_) {
    if (auto refused = gate_->check(true)) throw StoreError("database session: " + *refused);
  }
  try {
    Poco::Data::Session s(connector_, connection_);
    if (!postgres_) {
      s.setConnectionTimeout(5);
      s << "PRAGMA synchronous=FULL", now;  // per connection; this one writes the JTI rows
    }
    return s;
  } catch (const Poco::Exception& e) {
    if (gate_) gate_->failed(e.displayText());
    throw StoreError("database session: " + e.displayText());
  }
}

std::string Database::sql(const std::string& text) const {
  if (!postgres_) return text;
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

int Database::schemaVersion() {
  Poco::Data::Session s = session();
  int version = 0;
  s << "SELECT VERSION FROM IDGATE_SCHEMA", into(version), now;
  return version;
}

void Database::migrate() {
  Poco::Data::Session s = session();
  s << "CREATE TABLE IF NOT EXISTS IDGATE_SCHEMA (VERSION INTEGER NOT NULL)", now;
  s.begin();
  try {
    if (postgres_) s << "LOCK TABLE IDGATE_SCHEMA IN EXCLUSIVE MODE", now;
    std::vector<int> rows;
    s << "SELECT VERSION FROM IDGATE_SCHEMA", into(rows), now;
    int version = 0;
    if (rows.empty()) {
      s << "INSERT INTO IDGATE_SCHEMA (VERSION) VALUES (0)", now;
    } else {
      version = rows.front();
    }
    if (version > static_cast<int>(kMigrations.size())) {
      throw StoreError("database schema version " + std::to_string(version) +
                       " is newer than this server (" + std::to_string(kMigrations.size()) + ")");
    }
    for (size_t v = static_cast<size_t>(version); v < kMigrations.size(); ++v) {
      for (const auto& stmt : kMigrations[v]) s << stmt, now;
      int next = static_cast<int>(v + 1);
      s << sql("UPDATE IDGATE_SCHEMA SET VERSION = ?"), use(next), now;
    }
    s.commit();
  } catch (...) {
    s.rollback();
    throw;
  }
}

}  // namespace idgate
