#include <idgate/jose/utf8.h>

#include <gtest/gtest.h>

#include "common/json_writer.h"
#include "http/form_decoder.h"

namespace idgate {
namespace {

TEST(Utf8Test, WellFormedOnly) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  for (const char* bad :
       {"\xff", "\xfe\xff", "\xc3", "\xc3(", "\xc0\xaf" /* overlong / */, "\xe0\x80\xaf",
        "\xed\xa0\x80" /* surrogate */, "\xf4\x90\x80\x80", "\xe2\x82", "a\x80"}) {
    EXPECT_FALSE(isValidUtf8(bad)) << testing::PrintToString(std::string(bad));
  }
}

TEST(Utf8Test, LogSafeEscapesControlsAndForeignBytes) {
  EXPECT_EQ(logSafe("plain text: ok"), "plain text: ok");
  EXPECT_EQ(logSafe("a\nforged line"), "a\\nforged line");
  EXPECT_EQ(logSafe("\r\t\x1b[31m\x7f"), "\\r\\t\\x1b[31m\\x7f");
  EXPECT_EQ(logSafe("back\\slash"), "back\\\\slash") << "an escape cannot be faked";
  EXPECT_EQ(logSafe("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(logSafe("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(logSafe("\xc2\x9b"
                    "2J"),
            "\\xc2\\x9b2J")
      << "C1 CSI is a terminal escape too";
  EXPECT_EQ(logSafe(std::string_view("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(logSafe("a\xe2\x80\xae"
                    "b\xe2\x80\xa8"
                    "c\xe2\x81\xa6"
                    "d\xe2\x80\x8f"),
            "a\\u202eb\\u2028c\\u2066d\\u200f")
      << "bidi controls and separators";
  EXPECT_EQ(logSafe("\xe2\x82\xac"), "\xe2\x82\xac") << "other U+2xxx characters pass";
}

TEST(Utf8Test, JsonWriterNeverEmitsInvalidUtf8) {
  EXPECT_EQ(jsonQuote("\xff\xfe"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(jsonQuote("grant \xc3(x"), "\"grant \\ufffd(x\"");
  EXPECT_EQ(jsonQuote("caf\xc3\xa9\xe2\x82\xac"), "\"caf\xc3\xa9\xe2\x82\xac\"");
  EXPECT_EQ(jsonQuote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"") << "a surrogate is not UTF-8";
  EXPECT_TRUE(isValidUtf8(jsonQuote("\xf0\x9f\x98")));
}

TEST(Utf8Test, FormValuesMustBeUtf8AfterDecoding) {
  FormDecodeResult r =
      decodeForm("grant_type=client_credentials&resource=https%3A%2F%2Fx%2F%FF", {});
  EXPECT_EQ(r.error, "parameter 'resource' is not valid UTF-8 after percent-decoding");
  r = decodeForm("%FF=1", {});
  EXPECT_EQ(r.error, "a parameter name is not valid UTF-8 after percent-decoding");
  r = decodeForm("scope=caf%C3%A9", {});
  EXPECT_TRUE(r.error.empty()) << r.error;
}

}  // namespace
}  // namespace idgate
