#include <idgate/jose/base64url.h>

#include <gtest/gtest.h>

namespace idgate {
namespace {

TEST(Base64UrlTest, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    bytes.push_back(static_cast<char>(i * 37));
    auto decoded = base64UrlDecode(base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64UrlTest, EncodesWithoutPadding) {
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64UrlTest, RejectsNonCanonicalInput) {
  EXPECT_FALSE(base64UrlDecode("YQ==").has_value()) << "padding";
  EXPECT_FALSE(base64UrlDecode("+/8").has_value()) << "standard alphabet";
  EXPECT_FALSE(base64UrlDecode("YQ ").has_value()) << "whitespace";
  EXPECT_FALSE(base64UrlDecode("YR").has_value()) << "unused bits set";
  EXPECT_FALSE(base64UrlDecode("Y").has_value()) << "impossible length";
  EXPECT_EQ(base64UrlDecode("YQ").value(), "a");
  EXPECT_FALSE(base64UrlDecode("YWJ").has_value()) << "unused bits set, three-character tail";
  EXPECT_EQ(base64UrlDecode("YWI").value(), "ab");
}

TEST(Base64UrlTest, AcceptsAFinalCharacterOnlyWhenItsUnusedBitsAreZero) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int v = 0; v < 64; ++v) {
    // Two characters carry one byte: the last one's low 4 bits are unused.
    EXPECT_EQ(base64UrlDecode(std::string("Y") + alphabet[v]).has_value(), v % 16 == 0) << v;
    // Three characters carry two bytes: the last one's low 2 bits are unused.
    EXPECT_EQ(base64UrlDecode(std::string("YW") + alphabet[v]).has_value(), v % 4 == 0) << v;
  }
}

TEST(Base64UrlTest, RejectsAForeignCharacterAtEveryPosition) {
  // 15, 16 and 17 bytes: 20, 22 and 23 characters (no tail, a two- and a three-character tail).
  for (size_t n : {15, 16, 17}) {
    const std::string good = base64UrlEncode(std::string("any bytes at all!").substr(0, n));
    ASSERT_TRUE(base64UrlDecode(good).has_value());
    for (size_t i = 0; i < good.size(); ++i) {
      for (char bad : {'=', '+', '/', '.', '\0', '\x80'}) {
        std::string text = good;
        text[i] = bad;
        EXPECT_FALSE(base64UrlDecode(text).has_value())
            << good.size() << " characters, position " << i << " char " << int(bad);
      }
    }
  }
}

}  // namespace
}  // namespace idgate
