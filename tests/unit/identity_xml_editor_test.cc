#include "config/identity_xml_editor.h"

#include <gtest/gtest.h>

namespace idgate {
namespace {

const std::string kXml =
    "<Server>\n"
    "  <EventListeners>\n"
    "    <EventListener type=\"T\"\n"
    "                   name=\"client_secret_post\" orderId=\"20\" enable=\"true\"/>\n"
    "    <!-- <EventListener type=\"T\" name=\"none\" orderId=\"5\" enable=\"true\"/> -->\n"
    "    <EventListener type=\"T\" name=\"org.Example.Jwt\" orderId=\"899\" enable='true'>\n"
    "      <Property name=\"PreventTokenReuse\">true</Property>\n"
    "    </EventListener>\n"
    "  </EventListeners>\n"
    "</Server>\n";

TEST(IdentityXmlEditorTest, ChangesTheNamedElementInPlaceAndKeepsTheRest) {
  std::string xml = kXml;
  EXPECT_EQ(setEventListener(xml, {"client_secret_post"}, "client_secret_post", false, 20),
            std::nullopt);
  std::string expected = kXml;
  expected.replace(expected.find("enable=\"true\"/>"), 15, "enable=\"false\"/>");
  EXPECT_EQ(xml, expected);

  xml = kXml;
  EXPECT_EQ(
      setEventListener(xml, {"private_key_jwt", "org.Example.Jwt"}, "private_key_jwt", true, 7),
      std::nullopt);
  expected = kXml;
  expected.replace(expected.find("orderId=\"899\""), 13, "orderId=\"7\"");
  EXPECT_EQ(xml, expected) << "single quotes kept, property untouched";
}

TEST(IdentityXmlEditorTest, AddsAnElementWhenOnlyACommentNamesThePlugin) {
  std::string xml = kXml;
  EXPECT_EQ(setEventListener(xml, {"none"}, "none", false, 1000), std::nullopt);
  std::string added =
      "    <EventListener type=\"org.wso2.carbon.identity.core.handler.AbstractIdentityHandler\"\n"
      "                   name=\"none\" orderId=\"1000\" enable=\"false\"/>\n"
      "  </EventListeners>";
  EXPECT_NE(xml.find(added), std::string::npos) << xml;
  EXPECT_NE(xml.find("<!-- <EventListener type=\"T\" name=\"none\" orderId=\"5\""),
            std::string::npos);
}

TEST(IdentityXmlEditorTest, NamesAreComparedAsTheReaderSeesThem) {
  // requiredAttribute trims, and entities are decoded: the element the server matched.
  std::string xml =
      "<Server><EventListeners><EventListener name=\" jwt&#95;bearer \" orderId=\"4\" "
      "enable=\"true\"/></EventListeners></Server>";
  EXPECT_EQ(setEventListener(xml, {"jwt_bearer"}, "jwt_bearer", false, 4), std::nullopt);
  EXPECT_EQ(xml,
            "<Server><EventListeners><EventListener name=\" jwt&#95;bearer \" orderId=\"4\" "
            "enable=\"false\"/></EventListeners></Server>");
}

TEST(IdentityXmlEditorTest, AddsMissingAttributesAndRefusesTwoElements) {
  std::string xml = "<Server><EventListeners><EventListener name=\"a\"/></EventListeners></Server>";
  EXPECT_EQ(setEventListener(xml, {"a"}, "a", true, 3), std::nullopt);
  EXPECT_EQ(xml,
            "<Server><EventListeners><EventListener name=\"a\" orderId=\"3\" "
            "enable=\"true\"/></EventListeners></Server>");
  std::string twice = "<Server><EventListener name=\"a\"/><EventListener name=\"b\"/></Server>";
  std::string before = twice;
  EXPECT_EQ(setEventListener(twice, {"a", "b"}, "a", true, 3),
            "several <EventListener> elements name plugin 'a'; keep one and try again");
  EXPECT_EQ(twice, before);
  std::string bare = "<Server>\n</Server>\n";
  EXPECT_EQ(setEventListener(bare, {"x"}, "x", true, 1), std::nullopt);
  EXPECT_NE(bare.find("  <EventListeners>\n    <EventListener"), std::string::npos);
}

}  // namespace
}  // namespace idgate
