#include "jwks/jwks_fetcher.h"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <idgate/jose/json.h>

#include <algorithm>
#include <regex>

namespace idgate {

JwksFetcher::JwksFetcher(JwksFetchConfig config, const Clock& clock,
                         std::unique_ptr<JwksTransport> transport)
    : config_(config), clock_(clock), transport_(std::move(transport)) {}

int64_t JwksFetcher::cacheSeconds(const std::string& cache_control, const JwksFetchConfig& c) {
  std::string cc = Poco::toLower(cache_control);
  if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos)
    return c.min_cache_s;
  static const std::regex max_age("max-age\\s*=\\s*\"?([0-9]{1,12})");
  std::smatch m;
  if (!std::regex_search(cc, m, max_age)) return c.min_cache_s;
  int64_t v = std::stoll(m[1].str());
  return std::clamp(v, c.min_cache_s, c.max_cache_s);
}

std::shared_ptr<JwksFetcher::Entry> JwksFetcher::entry(const std::string& uri) {
  std::lock_guard<std::mutex> lock(map_mutex_);
  auto& e = entries_[uri];
  if (!e) e = std::make_shared<Entry>();
  return e;
}

std::optional<std::string> JwksFetcher::get(const std::string& uri, bool refresh,
                                            std::string* error) {
  std::shared_ptr<Entry> e = entry(uri);
  std::lock_guard<std::mutex> lock(e->fetch_mutex);  // concurrent callers wait for one fetch
  // Milliseconds: in whole seconds, two fetches a few milliseconds apart on either side of a
  // second's boundary would count as a second apart.
  int64_t now = clock_.nowMillis();
  bool fresh = !e->body.empty() && now < e->expires_at;
  bool may_refetch = now - e->last_fetch >= config_.refetch_interval_s * 1000;
  if (fresh && !(refresh && may_refetch)) return e->body;
  if (!e->body.empty() && !may_refetch) return e->body;  // throttled: serve what we have

  e->last_fetch = now;
  HttpFetchResult r = transport_->get(uri, config_);
  if (r.error.empty()) {
    auto parsed =
        jose::parseJson(r.body, jose::JsonLimits{16, static_cast<size_t>(config_.max_bytes)});
    if (!parsed || !parsed->isObject() || parsed->get("keys") == nullptr ||
        !parsed->get("keys")->isArray()) {
      r.error = "jwks_uri did not return a JWK set";
    }
  }
  if (!r.error.empty()) {
    Poco::Logger::get("idgate.jwks").warning(uri + ": " + r.error);
    if (!e->body.empty()) return e->body;  // keep the last good copy
    *error = r.error;
    return std::nullopt;
  }
  e->body = r.body;
  e->expires_at = now + cacheSeconds(r.cache_control, config_) * 1000;
  Poco::Logger::get("idgate.jwks").information("fetched " + uri);
  return e->body;
}

}  // namespace idgate
