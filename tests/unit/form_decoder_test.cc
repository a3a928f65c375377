#include "http/form_decoder.h"

#include <gtest/gtest.h>

namespace idgate {
namespace {

TEST(FormDecoderTest, DecodesPlusAndPercent) {
  auto r = decodeForm("a=1+2&b=%3A%2f&c", {});
  ASSERT_TRUE(r.error.empty());
  ASSERT_EQ(r.params.size(), 2u) << "a parameter without value is omitted";
  EXPECT_EQ(r.params[0].second, "1 2");
  EXPECT_EQ(r.params[1].second, ":/");
}

TEST(FormDecoderTest, RejectsRepeatedParameter) {
  EXPECT_EQ(decodeForm("grant_type=a&grant_type=b", {}).error,
            "parameter 'grant_type' is repeated");
  EXPECT_TRUE(decodeForm("resource=a&resource=b", {"resource"}).error.empty());
}

TEST(FormDecoderTest, RejectsBadEscapes) {
  EXPECT_EQ(decodeForm("a=%zz", {}).error, "malformed form encoding");
  EXPECT_EQ(decodeForm("a=%4", {}).error, "malformed form encoding");
}

}  // namespace
}  // namespace idgate
