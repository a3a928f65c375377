#include "common/json_writer.h"

#include <gtest/gtest.h>

namespace idgate {
namespace {

TEST(JsonWriterTest, QuotesEscapesOnlyWhatJsonRequires) {
  EXPECT_EQ(jsonQuote(""), "\"\"");
  EXPECT_EQ(jsonQuote("plain.token-_~"), "\"plain.token-_~\"");
  EXPECT_EQ(jsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonQuote("\n\r\t"), "\"\\n\\r\\t\"");
  EXPECT_EQ(jsonQuote(std::string_view("x\0y\x1f", 4)), "\"x\\u0000y\\u001f\"");
  EXPECT_EQ(jsonQuote("\b\f"), "\"\\u0008\\u000c\"");
  EXPECT_EQ(jsonQuote("\x7f"), "\"\\u007f\"") << "DEL is escaped too";
  EXPECT_EQ(jsonQuote("caf\xc3\xa9 /"), "\"caf\xc3\xa9 /\"") << "UTF-8 and / pass through";
  EXPECT_EQ(jsonQuote("\"\""), "\"\\\"\\\"\"") << "escapes next to each other";
}

TEST(JsonWriterTest, WritesMembersInOrder) {
  JsonWriter w;
  w.field("access_token", "a\"b").field("expires_in", int64_t{3600}).field("ok", true);
  w.field("scopes", std::vector<std::string>{"x", "y\\"}).raw("raw", "{\"k\":1}");
  EXPECT_EQ(w.finish(),
            "{\"access_token\":\"a\\\"b\",\"expires_in\":3600,\"ok\":true,"
            "\"scopes\":[\"x\",\"y\\\\\"],\"raw\":{\"k\":1}}");
}

}  // namespace
}  // namespace idgate
