#include "oauth/pkce.h"

#include <gtest/gtest.h>

namespace idgate {
namespace {

// RFC 7636 Appendix B.
constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(PkceTest, S256MatchesTheRfcExample) {
  EXPECT_EQ(s256Challenge(kVerifier), kChallenge);
  EXPECT_TRUE(verifiesS256(kVerifier, kChallenge));
}

TEST(PkceTest, AnotherVerifierOrAMalformedOneNeverVerifies) {
  std::string other = kVerifier;
  other.back() = 'l';
  EXPECT_FALSE(verifiesS256(other, kChallenge));
  EXPECT_FALSE(verifiesS256(kChallenge, kChallenge)) << "the challenge is not its own verifier";
  EXPECT_FALSE(isValidCodeVerifier(std::string(42, 'a')));
  EXPECT_TRUE(isValidCodeVerifier(std::string(43, 'a')));
  EXPECT_TRUE(isValidCodeVerifier(std::string(128, '~')));
  EXPECT_FALSE(isValidCodeVerifier(std::string(129, 'a')));
  EXPECT_FALSE(isValidCodeVerifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(isValidCodeVerifier(std::string(42, 'a') + "="));
  EXPECT_FALSE(isValidS256Challenge(std::string(44, 'a')));
  EXPECT_FALSE(isValidS256Challenge(std::string(42, 'a') + "."));
  // "plain": the challenge equal to the verifier is not an S256 challenge of it.
  std::string plain(43, 'x');
  EXPECT_FALSE(verifiesS256(plain, plain));
}

}  // namespace
}  // namespace idgate
