// The typed view of a client's metadata: parsed once when the store reads the client.
#include <gtest/gtest.h>

#include "store/client_store.h"
#include "store/database.h"
#include "test_support.h"

namespace idgate {
namespace {

TEST(ClientMetadataViewTest, ParsesWhatTheCoreDecidesOn) {
  auto v = parseClientMetadataView(
      R"({"grant_types":["client_credentials",7],"scope":"a b","token_endpoint_auth_method":"private_key_jwt"})");
  EXPECT_TRUE(v->readable);
  EXPECT_EQ(v->token_endpoint_auth_method, "private_key_jwt");
  EXPECT_TRUE(v->allowsGrant("client_credentials"));
  EXPECT_FALSE(v->allowsGrant("authorization_code"));
  EXPECT_EQ(v->scope, "a b");
  auto d = parseClientMetadataView("{}");
  EXPECT_TRUE(d->readable);
  EXPECT_EQ(d->token_endpoint_auth_method, "")
      << "the core knows no method: registration stores the default plugin's";
  EXPECT_FALSE(parseClientMetadataView("{not json")->readable);
  EXPECT_FALSE(parseClientMetadataView("[]")->readable);
}

TEST(ClientMetadataViewTest, AClientReadFromTheStoreCarriesItsParsedView) {
  test::TempDir dir;
  DatabaseConfig dc;
  dc.path = dir.file("x.db");
  Database db(dc);
  auto store = makeSqlClientStore(db);
  Client c;
  c.client_id = "app";
  c.metadata_json = R"({"grant_types":["client_credentials"],"scope":"orders:read"})";
  ASSERT_TRUE(store->insert(c));
  auto read = store->find("app");
  ASSERT_TRUE(read.has_value());
  ASSERT_NE(read->metadata_view, nullptr) << "parsed by the store, not per request";
  EXPECT_EQ(read->metadata().scope, "orders:read");
  Client copy = *read;  // copies (the client cache's) share the parsed view
  EXPECT_EQ(copy.metadata_view.get(), read->metadata_view.get());
}

}  // namespace
}  // namespace idgate
