#include "oauth/pkce.h"

#include <idgate/jose/base64url.h>

#include <algorithm>
#include <cctype>

#include "crypto/constant_time.h"
#include "crypto/digest.h"

namespace idgate {

bool isValidCodeVerifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
  });
}

bool isValidS256Challenge(std::string_view c) {
  if (c.size() != 43) return false;
  return std::all_of(c.begin(), c.end(),
                     [](unsigned char ch) { return std::isalnum(ch) || ch == '-' || ch == '_'; });
}

std::string s256Challenge(std::string_view verifier) {
  return base64UrlEncode(crypto::sha256(verifier));
}

bool verifiesS256(std::string_view verifier, std::string_view challenge) {
  if (!isValidCodeVerifier(verifier) || !isValidS256Challenge(challenge)) return false;
  return crypto::constantTimeEquals(s256Challenge(verifier), challenge);
}

}  // namespace idgate
