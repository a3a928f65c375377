#include "resource/request_origin.h"

#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>

#include "http/request_path.h"

namespace idgate {
namespace {

std::string originOf(const std::string& scheme, const std::string& host, int port) {
  std::string s = Poco::toLower(scheme);
  std::string h = Poco::toLower(host);
  if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
  bool default_port = (s == "http" && port == 80) || (s == "https" && port == 443);
  return s + "://" + h + (default_port || port == 0 ? "" : ":" + std::to_string(port));
}

std::string firstValue(const std::string* v) {
  if (v == nullptr) return {};
  std::string s = *v;
  size_t comma = s.find(',');  // a chain of proxies: the first is the client's view
  if (comma != std::string::npos) s = s.substr(0, comma);
  return Poco::trim(s);
}

}  // namespace

std::string urlOrigin(const std::string& url) {
  try {
    Poco::URI uri(url);
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
      return {};
    }
    return originOf(uri.getScheme(), uri.getHost(), uri.getPort());
  } catch (...) {
    return {};
  }
}

std::string RequestOrigin::origin() const {
  std::string url = scheme + "://" + (host.empty() ? "invalid" : host) + "/";
  return urlOrigin(url);
}

RequestOrigin RequestOrigin::direct(const HttpRequestData& r) {
  RequestOrigin o;
  o.scheme = r.scheme;
  o.host = r.host;
  o.method = r.method;
  o.uri = r.path + (r.query.empty() ? "" : "?" + r.query);
  o.remote_address = r.remote_address;
  o.request = &r;
  o.setPath();
  return o;
}

void RequestOrigin::setPath() {
  auto canonical = canonicalPath(std::string_view(uri).substr(0, uri.find('?')));
  ambiguous = !canonical;
  path = canonical.value_or("");
}

RequestOrigin RequestOrigin::forwarded(const HttpRequestData& r) {
  RequestOrigin o = direct(r);
  o.via_proxy = true;
  if (auto v = firstValue(r.header("X-Forwarded-Proto")); !v.empty()) o.scheme = v;
  if (auto v = firstValue(r.header("X-Forwarded-Host")); !v.empty()) o.host = v;
  if (auto v = firstValue(r.header("X-Forwarded-Method")); !v.empty()) {
    o.method = v;
  } else if (auto m = firstValue(r.header("X-Original-Method")); !m.empty()) {
    o.method = m;
  }
  if (const std::string* ou = r.header("X-Original-URI")) {
    o.uri = *ou;
  } else if (const std::string* u = r.header("X-Forwarded-Uri")) {
    o.uri = *u;
  }
  o.setPath();
  if (auto v = firstValue(r.header("X-Forwarded-For")); !v.empty()) o.remote_address = v;
  if (auto v = firstValue(r.header("X-Real-IP")); !v.empty() && !r.header("X-Forwarded-For")) {
    o.remote_address = v;
  }
  return o;
}

AudienceOrigins AudienceOrigins::from(const std::string& issuer,
                                      const std::vector<std::string>& listener_urls,
                                      const std::vector<std::string>& public_urls) {
  auto add = [](std::vector<std::string>& to, const std::string& url) {
    std::string o = urlOrigin(url);
    if (!o.empty() && std::find(to.begin(), to.end(), o) == to.end()) to.push_back(o);
  };
  AudienceOrigins out;
  add(out.direct, issuer);
  for (const auto& u : listener_urls) add(out.direct, u);
  for (const auto& u : public_urls) {
    add(out.direct, u);
    add(out.forwarded, u);
  }
  return out;
}

}  // namespace idgate
