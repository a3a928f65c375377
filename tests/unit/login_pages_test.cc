// The sign-in pages: templates (escaping, the operator's files, refusals naming the file), the
// security headers every page carries, and the authorization response's two modes.
#include <gtest/gtest.h>

#include "config/config_error.h"
#include "login/page_response.h"
#include "login/page_templates.h"
#include "test_support.h"

namespace idgate {
namespace {

const std::string* header(const HttpResponseData& r, const std::string& name) {
  return findHeader(r.headers, name);
}

TEST(PageTemplatesTest, ValuesAreEscapedAndServerHtmlIsNot) {
  PageTemplates pages("");
  std::string html = pages.render("login.html", {{"client_name", "<script>alert('x')</script>"},
                                                 {"error_block", "<p class=\"error\">Wrong</p>"},
                                                 {"ix", "a\"b"}});
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"error\">Wrong</p>"), std::string::npos);
  EXPECT_NE(html.find("value=\"a&quot;b\""), std::string::npos);
  EXPECT_EQ(htmlEscape("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
}

TEST(PageTemplatesTest, TheOperatorsFilesWinAndUnknownPlaceholdersStopStartup) {
  test::TempDir dir;
  test::writeFile(dir.file("login.html"), "<h1>ACME sign-in for {{client_name}}</h1>");
  test::writeFile(dir.file("logo.png"), "PNG");
  PageTemplates pages(dir.file(""));
  EXPECT_EQ(pages.render("login.html", {{"client_name", "Shop"}}),
            "<h1>ACME sign-in for Shop</h1>");
  EXPECT_NE(pages.render("consent.html", {}).find("decision"), std::string::npos)
      << "defaults fill in what the operator did not replace";
  ASSERT_TRUE(pages.asset("logo.png"));
  EXPECT_EQ(pages.asset("logo.png")->content_type, "image/png");
  EXPECT_FALSE(pages.asset("login.html")) << "templates are not assets";

  test::writeFile(dir.file("consent.html"), "<p>{{clientname}}</p>");
  try {
    PageTemplates broken(dir.file(""));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("consent.html: unknown placeholder {{clientname}}"),
              std::string::npos)
        << e.what();
  }
}

TEST(PageResponseTest, EveryPageHasItsSecurityHeaders) {
  HttpResponseData r = htmlPage(200, "<p>x</p>", "https://app.example:8443/cb?x=1");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  ASSERT_TRUE(header(r, "Content-Security-Policy"));
  EXPECT_EQ(*header(r, "Content-Security-Policy"),
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' "
            "https://app.example:8443; frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(*header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(*header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(*header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(cspSource("com.example.app:/cb"), "com.example.app:");
  EXPECT_EQ(cspSource("https://app.example/cb"), "https://app.example");
}

TEST(PageResponseTest, QueryResponseEncodesAndKeepsTheRegisteredQuery) {
  PageTemplates pages("");
  HttpResponseData r = authorizationResponse(pages, "https://app.example/cb?tenant=1", "query",
                                             {{"code", "c1"}, {"state", "a b&c=d/é"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(*header(r, "Location"),
            "https://app.example/cb?tenant=1&code=c1&state=a%20b%26c%3Dd%2F%C3%A9");
  r = authorizationError(pages, "https://app.example/cb", "query",
                         {ErrorCode::kInvalidRequest, "bad \"x\" \\ é"}, "", "https://idp");
  EXPECT_EQ(*header(r, "Location"),
            "https://app.example/cb?error=invalid_request&error_description=bad%20x%20%20&"
            "iss=https%3A%2F%2Fidp");
}

TEST(PageResponseTest, FormPostIsAPageWithOneNoncedScript) {
  PageTemplates pages("");
  HttpResponseData r = authorizationResponse(pages, "https://app.example/cb", "form_post",
                                             {{"code", "c\"1"}, {"state", "<s>"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("action=\"https://app.example/cb\""), std::string::npos);
  EXPECT_NE(r.body.find("name=\"code\" value=\"c&quot;1\""), std::string::npos);
  EXPECT_NE(r.body.find("name=\"state\" value=\"&lt;s&gt;\""), std::string::npos);
  const std::string csp = *header(r, "Content-Security-Policy");
  auto at = csp.find("script-src 'nonce-");
  ASSERT_NE(at, std::string::npos);
  std::string nonce = csp.substr(at + 18, csp.find('\'', at + 18) - at - 18);
  EXPECT_NE(r.body.find("<script nonce=\"" + nonce + "\">"), std::string::npos);
  EXPECT_NE(csp.find("form-action 'self' https://app.example"), std::string::npos);
}

}  // namespace
}  // namespace idgate
