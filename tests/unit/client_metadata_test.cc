#include "clients/client_metadata.h"

#include <gtest/gtest.h>

namespace idgate {
namespace {

std::optional<MethodInfo> method(const std::string& m) {
  if (m == "client_secret_basic" || m == "client_secret_post")
    return MethodInfo{{}, SecretForm::kHash};
  if (m == "none") return MethodInfo{};
  if (m == "client_secret_jwt") return MethodInfo{{"HS256", "HS384", "HS512"}, SecretForm::kSealed};
  if (m == "private_key_jwt") return MethodInfo{{"RS256", "ES256"}, SecretForm::kNone};
  return std::nullopt;
}

const RegistrationCatalog catalog{method, [] { return std::string("client_secret_basic"); },
                                  [] {
                                    return std::vector<std::string>{
                                        "client_credentials",
                                        "urn:ietf:params:oauth:grant-type:jwt-bearer"};
                                  }};

std::string errorFor(const std::string& body) {
  ValidatedMetadata m;
  auto e = validateClientMetadata(body, catalog, &m);
  return e ? *e : "ok";
}

TEST(ClientMetadataTest, DefaultsFollowRfc7591) {
  ValidatedMetadata m;
  ASSERT_FALSE(validateClientMetadata("{\"client_name\":\"A\"}", catalog, &m));
  EXPECT_EQ(m.auth_method, "client_secret_basic");
  EXPECT_EQ(m.metadata_json,
            "{\"client_name\":\"A\",\"grant_types\":[\"client_credentials\"],\"token_endpoint_auth_"
            "method\":"
            "\"client_secret_basic\"}");
}

TEST(ClientMetadataTest, RefusesWhatCannotWork) {
  EXPECT_EQ(errorFor("[]"), "body must be a JSON object");
  const std::string invalid =
      "body is not valid JSON (one object; no repeated member; valid UTF-8; at most 16 levels "
      "deep and 1 MiB)";
  EXPECT_EQ(errorFor("{"), invalid);
  EXPECT_EQ(errorFor("{\"scope\":\"a\",\"scope\":\"admin\"}"), invalid) << "last would win";
  EXPECT_EQ(errorFor("{\"client_name\":\"\xff\"}"), invalid);
  EXPECT_EQ(
      errorFor("{\"token_endpoint_auth_method\":\"tls_client_auth\"}"),
      "token_endpoint_auth_method 'tls_client_auth' is not provided by any plugin in dropins/");
  EXPECT_EQ(errorFor("{\"grant_types\":[\"password\"]}"),
            "grant type 'password' is not supported (supported: client_credentials, "
            "urn:ietf:params:oauth:grant-type:jwt-bearer)");
  EXPECT_EQ(errorFor("{\"client_id\":\"a b\"}"),
            "client_id must be 1-255 characters of A-Z a-z 0-9 - . _ ~ @, and not . or ..");
  EXPECT_EQ(errorFor("{\"client_id\":\"..\"}"),
            "client_id must be 1-255 characters of A-Z a-z 0-9 - . _ ~ @, and not . or ..");
  EXPECT_EQ(errorFor("{\"scope\":\"a  b\"}"), "scope must be tokens separated by single spaces");
  EXPECT_EQ(
      errorFor("{\"token_endpoint_auth_method\":\"none\",\"client_secret\":\"0123456789abcdef\"}"),
      "client_secret does not apply to none");
  EXPECT_EQ(errorFor("{\"client_secret\":\"short\"}"), "client_secret must be 16 to 512 bytes");
  EXPECT_EQ(errorFor("{\"token_endpoint_auth_signing_alg\":\"HS256\"}"),
            "token_endpoint_auth_signing_alg does not apply to client_secret_basic");
}

TEST(ClientMetadataTest, ClientSecretJwtNeedsHashSizedSecret) {
  EXPECT_EQ(
      errorFor("{\"token_endpoint_auth_method\":\"client_secret_jwt\",\"client_secret\":"
               "\"0123456789012345678901234567890\"}"),
      "client_secret for client_secret_jwt must be at least 32 bytes (the hash size of HS256)");
  EXPECT_EQ(
      errorFor("{\"token_endpoint_auth_method\":\"client_secret_jwt\",\"token_endpoint_auth_"
               "signing_alg\":\"HS512\","
               "\"client_secret\":\"0123456789012345678901234567890123456789012345678\"}"),
      "client_secret for client_secret_jwt must be at least 64 bytes (the hash size of HS512)");
}

TEST(ClientMetadataTest, JwksRules) {
  EXPECT_EQ(errorFor("{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[{"
                     "\"kty\":\"EC\"}]},"
                     "\"jwks_uri\":\"https://x/jwks\"}"),
            "jwks and jwks_uri must not both be present");
  EXPECT_EQ(errorFor("{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[{"
                     "\"kty\":\"EC\",\"d\":\"x\"}]}}"),
            "jwks: JWK holds private or symmetric key material ('d')");
  // 1024-bit modulus.
  std::string n(171, 'A');
  n[0] = 'w';
  EXPECT_EQ(errorFor("{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[{"
                     "\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"" +
                     n + "\"}]}}"),
            "jwks: RSA key smaller than 2048 bits");
  EXPECT_EQ(errorFor("{\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[{"
                     "\"kty\":\"EC\",\"crv\":\"P-256\","
                     "\"x\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\",\"y\":"
                     "\"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI\"}]}}"),
            "jwks: EC point is not on the curve");
}

}  // namespace
}  // namespace idgate
