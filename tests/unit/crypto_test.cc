#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>

#include <gtest/gtest.h>

#include <idgate/jose/base64url.h>
#include "crypto/constant_time.h"
#include "crypto/jwk.h"
#include "crypto/jws_signer.h"
#include "crypto/keys.h"
#include "crypto/password_hash.h"
#include "crypto/secret_box.h"

namespace idgate::crypto {
namespace {

TEST(PasswordHashTest, VerifiesOnlyTheRightPassword) {
  std::string h = hashPassword("correct horse", 1000);
  EXPECT_TRUE(isPasswordHash(h));
  EXPECT_TRUE(verifyPassword("correct horse", h));
  EXPECT_FALSE(verifyPassword("correct horsf", h));
  EXPECT_FALSE(verifyPassword("", h));
}

TEST(PasswordHashTest, SaltsEveryHash) {
  EXPECT_NE(hashPassword("x", 1000), hashPassword("x", 1000));
}

TEST(PasswordHashTest, RejectsMalformedHashes) {
  EXPECT_FALSE(verifyPassword("x", "plain-text"));
  EXPECT_FALSE(verifyPassword("x", "pbkdf2-sha256$10$AAAAAAAAAAAAAAAAAAAAAA$AAAA"));
  EXPECT_FALSE(isPasswordHash("md5$1$2$3"));
}

TEST(ConstantTimeTest, ComparesContentAndLength) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(SecretBoxTest, OpensOnlyWithSameContext) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.seal("s3cret", "client-secret:a");
  EXPECT_EQ(sealed.find("s3cret"), std::string::npos);
  EXPECT_EQ(box.open(sealed, "client-secret:a").value(), "s3cret");
  EXPECT_FALSE(box.open(sealed, "client-secret:b").has_value());
}

TEST(SecretBoxTest, DetectsTampering) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.seal("s3cret", "c");
  sealed[sealed.size() - 3] = sealed[sealed.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(sealed, "c").has_value());
  SecretBox other(std::string(32, 'o'));
  EXPECT_FALSE(other.open(box.seal("s3cret", "c"), "c").has_value());
}

// Verifies a compact ES256 JWS independently: R||S back to DER, then EVP_DigestVerify.
bool verifyEs256(const std::string& jws, EVP_PKEY* key) {
  size_t dot = jws.rfind('.');
  std::string input = jws.substr(0, dot);
  auto sig = base64UrlDecode(jws.substr(dot + 1));
  if (!sig || sig->size() != 64) return false;
  ECDSA_SIG* s = ECDSA_SIG_new();
  ECDSA_SIG_set0(s, BN_bin2bn(reinterpret_cast<const unsigned char*>(sig->data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(sig->data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(s, &der);
  ECDSA_SIG_free(s);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, der, der_len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

TEST(JwsSignerTest, SignsEs256ThatVerifies) {
  PkeyPtr key = generateEcP256();
  JwsSigner signer(key, "ES256", "kid-1");
  std::string jws = signer.sign("at+jwt", "{\"sub\":\"a\"}");
  EXPECT_EQ(std::count(jws.begin(), jws.end(), '.'), 2);
  EXPECT_EQ(base64UrlDecode(jws.substr(0, jws.find('.'))).value(),
            "{\"alg\":\"ES256\",\"kid\":\"kid-1\",\"typ\":\"at+jwt\"}");
  EXPECT_TRUE(verifyEs256(jws, key.get()));
  std::string tampered = jws;
  tampered[jws.find('.') + 2] ^= 1;
  EXPECT_FALSE(verifyEs256(tampered, key.get()));
}

TEST(JwsSignerTest, RefusesAlgorithmThatDoesNotFitTheKey) {
  EXPECT_THROW(JwsSigner(generateEcP256(), "RS256", "k"), std::invalid_argument);
}

TEST(JwkTest, ThumbprintMatchesRfc7638Example) {
  // RFC 7638 §3.1 example key.
  const char* n =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
      "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
      "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
      "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
  OSSL_PARAM_BLD* b = OSSL_PARAM_BLD_new();
  auto nb = base64UrlDecode(n).value();
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(nb.data()),
                           static_cast<int>(nb.size()), nullptr);
  BIGNUM* bn_e = BN_new();
  BN_set_word(bn_e, 65537);
  OSSL_PARAM_BLD_push_BN(b, "n", bn_n);
  OSSL_PARAM_BLD_push_BN(b, "e", bn_e);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(b);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* pkey = nullptr;
  ASSERT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
  PublicJwk jwk = publicJwk(pkey, "", "RS256");
  EXPECT_EQ(jwk.thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(b);
  BN_free(bn_n);
  BN_free(bn_e);
}

}  // namespace
}  // namespace idgate::crypto
