// The sign-in cookie: the session id sealed for this purpose only, and the attributes.
#include <gtest/gtest.h>

#include "crypto/random.h"
#include "login/login_cookie.h"

namespace idgate {
namespace {

HttpRequestData withCookie(const std::string& header) {
  HttpRequestData r;
  r.headers.emplace_back("Cookie", header);
  return r;
}

TEST(LoginCookieTest, SealedIdReadsBackAndNothingElseDoes) {
  auto box = std::make_shared<const crypto::SecretBox>(crypto::randomBytes(32));
  LoginCookie cookie(box);
  std::string set = cookie.issue("session-id-1", false, 600);
  EXPECT_EQ(set.rfind("idgate_login=v1.", 0), 0u);
  EXPECT_NE(set.find("; Max-Age=600; Path=/oauth2/; HttpOnly; SameSite=Lax"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos);
  EXPECT_NE(cookie.issue("x", true, 600).find("; Secure"), std::string::npos);
  std::string value = set.substr(13, set.find(';') - 13);
  EXPECT_EQ(cookie.read(withCookie("a=b; idgate_login=" + value)).value_or(""), "session-id-1");
  // Sealed for another purpose (the resource server's session), tampered, or by another key.
  EXPECT_FALSE(cookie.read(withCookie("idgate_login=" + box->seal("session-id-1", "other"))));
  std::string tampered = value;
  tampered[tampered.size() - 3] ^= 1;
  EXPECT_FALSE(cookie.read(withCookie("idgate_login=" + tampered)));
  LoginCookie other(std::make_shared<const crypto::SecretBox>(crypto::randomBytes(32)));
  EXPECT_FALSE(other.read(withCookie("idgate_login=" + value)));
  EXPECT_FALSE(cookie.read(HttpRequestData{}));
  EXPECT_EQ(LoginCookie::clear("idgate_login", true),
            "idgate_login=; Max-Age=0; Path=/oauth2/; HttpOnly; SameSite=Lax; Secure");
}

}  // namespace
}  // namespace idgate
