#include "oauth/redirect_uri.h"

#include <Poco/URI.h>

#include <cctype>

namespace idgate {

std::optional<std::string> redirectUriProblem(const std::string& u) {
  if (u.size() > 2000) return std::string("is longer than 2000 characters");
  for (unsigned char c : u) {
    if (c <= 0x20 || c >= 0x7f) return std::string("has spaces, controls or non-ASCII characters");
  }
  try {
    Poco::URI uri(u);
    const std::string& scheme = uri.getScheme();
    if (scheme.empty()) return std::string("is not an absolute URI");
    if (!uri.getFragment().empty() || u.find('#') != std::string::npos)
      return std::string("has a fragment");
    if (!uri.getUserInfo().empty()) return std::string("has user information");
    if (scheme == "https" || scheme == "http") {
      const std::string& host = uri.getHost();
      if (host.empty()) return std::string("has no host");
      const bool ipv6 = host.find(':') != std::string::npos;
      for (unsigned char c : host) {
        if (!(std::isalnum(c) || c == '.' || c == '-' || (ipv6 && c == ':'))) {
          return std::string("has a host with characters other than letters, digits, . and -");
        }
      }
    }
    if (scheme == "https") return std::nullopt;
    if (scheme == "http") {
      const std::string& host = uri.getHost();
      if (host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]")
        return std::nullopt;
      return std::string("uses http for a host that is not loopback (use https)");
    }
    if (scheme.find('.') == std::string::npos) {
      return std::string(
          "uses a scheme that is neither https, http to loopback, nor a private-use scheme in "
          "reverse domain form such as com.example.app");
    }
    return std::nullopt;
  } catch (...) {
    return std::string("is not an absolute URI");
  }
}

}  // namespace idgate
