#include "resource/identity_headers.h"

#include <Poco/String.h>

#include <algorithm>

namespace idgate {
namespace {

std::string clean(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  return out;
}

std::string encodeGroup(const std::string& g) {
  std::string out;
  for (char c : clean(g)) {
    if (c == '%') {
      out += "%25";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> identityHeaders(const Subject& s) {
  std::string groups;
  for (const auto& g : s.groupIds()) groups += (groups.empty() ? "" : ",") + encodeGroup(g);
  std::vector<std::pair<std::string, std::string>> h = {
      {"X-Auth-Subject", clean(s.principal)},
      {"X-Auth-Unique-Id", clean(s.uniqueId())},
      {"X-Auth-Realm", clean(s.realm)},
      {"X-Auth-Groups", groups},
  };
  if (!s.client_id.empty()) h.emplace_back("X-Auth-Client-Id", clean(s.client_id));
  return h;
}

bool isIdentityHeader(const std::string& name) {
  // X_Auth_Subject too: CGI, WSGI, PHP and Rack read both spellings as HTTP_X_AUTH_SUBJECT.
  if (name.size() < 7) return false;
  std::string prefix = Poco::toLower(name.substr(0, 7));
  std::replace(prefix.begin(), prefix.end(), '_', '-');
  return prefix == "x-auth-";
}

}  // namespace idgate
