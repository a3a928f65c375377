// What the resource-server checks see of a request: its URL parts, peer and headers. For
// idgate's own endpoints and gateway routes that is the request itself; for /auth/check it is
// the original request a proxy describes in X-Forwarded-* / X-Original-* headers.
#pragma once

#include <string>
#include <vector>

#include "http/http_exchange.h"

namespace idgate {

struct RequestOrigin {
  std::string scheme;  ///< http or https
  std::string host;    ///< host[:port] as the client addressed it
  std::string method;
  std::string uri;         ///< path and query, as received
  std::string path;        ///< the path percent-decoded (see canonicalPath); empty when ambiguous
  bool ambiguous = false;  ///< the path has dot segments or encoded separators: refuse it
  bool via_proxy = false;  ///< described by a proxy (/auth/check), not addressed to idgate
  std::string remote_address;
  const HttpRequestData* request = nullptr;  ///< headers, cookies, body (never null in use)

  /// scheme://host[:port], the port left out when it is the scheme's default.
  std::string origin() const;

  /// The request itself.
  static RequestOrigin direct(const HttpRequestData& r);
  /// The request described by a forward-auth call (nginx auth_request, Traefik ForwardAuth):
  /// X-Original-URI (nginx recipe) before X-Forwarded-Uri (Traefik), and likewise for the rest.
  static RequestOrigin forwarded(const HttpRequestData& r);

 private:
  void setPath();
};

/// Lower-cased scheme://host[:port] of an absolute URL (default port dropped), or "" when it
/// is not one.
std::string urlOrigin(const std::string& url);

/// This server's origins for the audience rule of an <openidConnectClient> without
/// `audiences`, from configuration only. Never from a request: a caller controls Host and
/// X-Forwarded-Host, so any audience would match.
struct AudienceOrigins {
  /// Requests addressed to idgate (its /api/, gateway routes): the issuer, every listener,
  /// every <PublicUrl>.
  std::vector<std::string> direct;
  /// Requests a proxy describes (/auth/check): the <PublicUrl>s only; idgate's own addresses
  /// are not the proxied service's.
  std::vector<std::string> forwarded;

  /// Origins of `issuer`, `listener_urls` and `public_urls`, without duplicates.
  static AudienceOrigins from(const std::string& issuer,
                              const std::vector<std::string>& listener_urls,
                              const std::vector<std::string>& public_urls);
};

}  // namespace idgate
