// Fetches JWK sets from clients' jwks_uri and resource-server jwkEndpointUrl: cached honouring
// Cache-Control within [min, max], refetched on an unknown kid at most once per interval, one
// fetch at a time per URI, bounded in time and size. The network side (https only, special
// addresses refused, one deadline per fetch) is jwks_http_transport.h. A failed refetch keeps
// serving the last good copy.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"

namespace idgate {

struct JwksFetchConfig {
  /// Resolution and connection must be done within connect_timeout_ms, and the whole fetch
  /// (resolution, connection, TLS, request, response) within connect_timeout_ms +
  /// read_timeout_ms, however the server paces its bytes.
  int64_t connect_timeout_ms = 2000;
  int64_t read_timeout_ms = 3000;
  int64_t max_bytes = 64 * 1024;
  int64_t min_cache_s = 60;
  int64_t max_cache_s = 86400;
  int64_t refetch_interval_s = 30;
  /// The opt-in for tests and closed networks: special-purpose addresses (loopback, private,
  /// link-local, ...) are fetched from, and plain http is accepted to them (never to a public
  /// address). Off: https to public addresses only.
  bool allow_private_addresses = false;
};

struct HttpFetchResult {
  int status = 0;
  std::string body;
  std::string cache_control;
  std::string error;  ///< non-empty: the fetch failed
};

/// The network side, an interface so tests can count and script fetches.
class JwksTransport {
 public:
  virtual ~JwksTransport() = default;
  virtual HttpFetchResult get(const std::string& uri, const JwksFetchConfig& config) = 0;
};

/// The production transport: the system resolver and a direct TCP connection to a checked
/// address (jwks_http_transport.h), trusting the system's CAs.
std::unique_ptr<JwksTransport> makeSystemJwksTransport();

class JwksFetcher {
 public:
  JwksFetcher(JwksFetchConfig config, const Clock& clock, std::unique_ptr<JwksTransport> transport);

  /// The JWKS JSON, or nullopt with `error` when no good copy can be had.
  std::optional<std::string> get(const std::string& uri, bool refresh, std::string* error);

  /// Seconds a response may be cached: max-age within [min, max]; no-store/no-cache = min.
  static int64_t cacheSeconds(const std::string& cache_control, const JwksFetchConfig& config);

 private:
  struct Entry {
    std::mutex fetch_mutex;              ///< single flight: one fetch per URI at a time
    std::string body;                    ///< last good JWKS, empty if none
    int64_t expires_at = 0;              ///< unix milliseconds
    int64_t last_fetch = INT64_MIN / 2;  ///< unix milliseconds
  };
  std::shared_ptr<Entry> entry(const std::string& uri);

  JwksFetchConfig config_;
  const Clock& clock_;
  std::unique_ptr<JwksTransport> transport_;
  std::mutex map_mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace idgate
