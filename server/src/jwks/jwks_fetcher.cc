#include "jwks/jwks_fetcher.h"

#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <idgate/jose/json.h>

#include <regex>

namespace idgate {

bool isPrivateAddress(const std::string& ip) {
  Poco::Net::IPAddress a;
  if (!Poco::Net::IPAddress::tryParse(ip, a)) return true;  // fail closed
  if (a.isLoopback() || a.isWildcard() || a.isLinkLocal() || a.isSiteLocal() || a.isMulticast() ||
      a.isBroadcast()) {
    return true;
  }
  std::string s = a.toString();
  if (a.family() == Poco::Net::IPAddress::IPv4) {
    // 100.64/10 carrier-grade NAT, 0/8
    if (s.rfind("100.", 0) == 0) {
      int second = std::stoi(s.substr(4, s.find('.', 4) - 4));
      if (second >= 64 && second <= 127) return true;
    }
    if (s.rfind("0.", 0) == 0) return true;
  } else {
    std::string l = Poco::toLower(s);
    if (l.rfind("fc", 0) == 0 || l.rfind("fd", 0) == 0) return true;  // unique local
    if (a.isIPv4Mapped()) return isPrivateAddress(s.substr(s.rfind(':') + 1));
  }
  return false;
}

namespace {

class PocoTransport : public JwksTransport {
 public:
  HttpFetchResult get(const std::string& uri_text, const JwksFetchConfig& config) override {
    HttpFetchResult r;
    try {
      Poco::URI uri(uri_text);
      if (uri.getScheme() != "https" && uri.getScheme() != "http") {
        r.error = "jwks_uri must be http(s)";
        return r;
      }
      Poco::Net::HostEntry host = Poco::Net::DNS::resolve(uri.getHost());
      if (host.addresses().empty()) {
        r.error = "jwks_uri host does not resolve";
        return r;
      }
      if (!config.allow_private_addresses) {
        for (const auto& a : host.addresses()) {
          if (isPrivateAddress(a.toString())) {
            r.error = "jwks_uri resolves to a private or loopback address (" + a.toString() +
                      "); allow it with <JwksFetch allowPrivateAddresses=\"true\">";
            return r;
          }
        }
      }
      std::unique_ptr<Poco::Net::HTTPClientSession> session;
      if (uri.getScheme() == "https") {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = true;
        Poco::Net::Context::Ptr ctx =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        session =
            std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
      } else {
        // Connect to the address that was checked, not to a second lookup of the name (no DNS
        // rebinding between the check and the connection).
        session = std::make_unique<Poco::Net::HTTPClientSession>(
            Poco::Net::SocketAddress(host.addresses().front(), uri.getPort()));
      }
      session->setTimeout(Poco::Timespan(config.connect_timeout_ms * 1000),
                          Poco::Timespan(config.read_timeout_ms * 1000),
                          Poco::Timespan(config.read_timeout_ms * 1000));
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setHost(uri.getHost(), uri.getPort());
      req.set("Accept", "application/jwk-set+json, application/json");
      req.set("User-Agent", "idgate");
      session->sendRequest(req);
      Poco::Net::HTTPResponse resp;
      std::istream& in = session->receiveResponse(resp);
      r.status = resp.getStatus();
      r.cache_control = resp.get("Cache-Control", "");
      char buf[8192];
      while (in) {
        in.read(buf, sizeof(buf));
        r.body.append(buf, static_cast<size_t>(in.gcount()));
        if (static_cast<int64_t>(r.body.size()) > config.max_bytes) {
          r.error = "jwks_uri response exceeds " + std::to_string(config.max_bytes) + " bytes";
          return r;
        }
      }
      if (r.status != 200) r.error = "jwks_uri answered HTTP " + std::to_string(r.status);
    } catch (const Poco::Exception& e) {
      r.error = "jwks_uri fetch failed: " + e.displayText();
    } catch (const std::exception& e) {
      r.error = std::string("jwks_uri fetch failed: ") + e.what();
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<JwksTransport> makePocoJwksTransport() { return std::make_unique<PocoTransport>(); }

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
