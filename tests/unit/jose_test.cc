#include <idgate/jose/base64url.h>
#include <idgate/jose/client_assertion.h>
#include <idgate/jose/digests.h>
#include <idgate/jose/json.h>
#include <idgate/jose/jwk.h>
#include <idgate/jose/jws.h>
#include <idgate/jose/pkey_ctx_cache.h>

#include <gtest/gtest.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "crypto/jwk.h"
#include "crypto/jws_signer.h"
#include "crypto/keys.h"

namespace idgate::jose {
namespace {

TEST(JsonTest, ParsesNestedValues) {
  auto j = parseJson(R"({"a":[1,2.5,"x\u00e9",true,null],"b":{"c":-3e2}})");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->get("a")->items().size(), 5u);
  EXPECT_EQ(j->get("a")->items()[2].str(), "x\xc3\xa9");
  EXPECT_DOUBLE_EQ(j->get("b")->get("c")->number(), -300);
}

TEST(JsonTest, RejectsDuplicatesDepthAndJunk) {
  EXPECT_FALSE(parseJson(R"({"sub":"a","sub":"b"})")) << "duplicate member";
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_FALSE(parseJson(deep)) << "depth";
  EXPECT_FALSE(parseJson(R"({"a":1} x)")) << "trailing data";
  EXPECT_FALSE(parseJson(R"({"a":01})")) << "leading zero";
  EXPECT_FALSE(parseJson(R"({"a":1e999})")) << "overflow";
  EXPECT_FALSE(parseJson(R"({"a":"\ud800"})")) << "lone surrogate";
  EXPECT_FALSE(parseJson("{\"a\":\"\x01\"}")) << "control character";
  EXPECT_FALSE(parseJson(std::string(70000, ' '))) << "size";
}

TEST(JsonTest, StringsAreWellFormedUtf8WithoutNul) {
  EXPECT_TRUE(parseJson("{\"jti\":\"caf\xc3\xa9 \xf0\x9f\x94\x91\"}")) << "2- and 4-byte";
  EXPECT_FALSE(parseJson("{\"jti\":\"\xff\"}")) << "invalid lead byte";
  EXPECT_FALSE(parseJson("{\"jti\":\"\xc3\"}")) << "truncated sequence";
  EXPECT_FALSE(parseJson("{\"jti\":\"\xc0\xaf\"}")) << "overlong /";
  EXPECT_FALSE(parseJson("{\"jti\":\"\xed\xa0\x80\"}")) << "encoded surrogate";
  EXPECT_FALSE(parseJson("{\"jti\":\"\xf4\x90\x80\x80\"}")) << "above U+10FFFF";
  EXPECT_FALSE(parseJson(R"({"jti":"a\u0000b"})")) << "NUL";
}

TEST(JwkTest, CertificateKeysCarryTheirX5tThumbprint) {
  auto key = crypto::generateEcP256();
  auto cert = crypto::selfSignedCertificate(key.get(), "x5t", 1);
  std::string der = crypto::certificateDer(cert.get());
  std::string error;
  auto pub = importCertificate(der, &error);
  ASSERT_TRUE(pub) << error;
  unsigned char sha1[20];
  SHA1(reinterpret_cast<const unsigned char*>(der.data()), der.size(), sha1);
  EXPECT_EQ(pub->x5t, base64UrlEncode(std::string(reinterpret_cast<char*>(sha1), 20)));
}

TEST(JwkTest, RefusesHugeRsaAndOversizedSets) {
  std::string error;
  auto huge = parseJson(R"({"kty":"RSA","e":"AQAB","n":")" +
                        base64UrlEncode(std::string(2048, '\xff')) + R"("})");
  EXPECT_FALSE(importJwk(*huge, &error)) << "16384-bit modulus";
  EXPECT_EQ(error, "RSA key larger than 8192 bits or with an exponent over 64 bits");
  std::string keys = R"({"keys":[)";
  for (int i = 0; i < 101; ++i) keys += std::string(i ? "," : "") + R"({"kty":"oct"})";
  keys += "]}";
  auto set = parseJson(keys);
  ASSERT_TRUE(set);
  int skipped = 0;
  EXPECT_FALSE(importJwks(*set, &skipped, &error));
  EXPECT_EQ(error, "JWK set holds more than 100 keys");
}

TEST(JwkTest, RefusesOffCurvePointAndSmallRsa) {
  std::string error;
  auto off =
      parseJson(R"({"kty":"EC","crv":"P-256","x":")" + base64UrlEncode(std::string(32, '\x01')) +
                R"(","y":")" + base64UrlEncode(std::string(32, '\x02')) + R"("})");
  EXPECT_FALSE(importJwk(*off, &error));
  EXPECT_EQ(error, "EC point is not on the curve");
  auto small = parseJson(R"({"kty":"RSA","e":"AQAB","n":")" +
                         base64UrlEncode(std::string(128, '\xff')) + R"("})");
  EXPECT_FALSE(importJwk(*small, &error));
  EXPECT_EQ(error, "RSA key smaller than 2048 bits");
  auto priv = parseJson(R"({"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"})");
  EXPECT_FALSE(importJwk(*priv, &error));
  auto wrong_len = parseJson(R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})");
  EXPECT_FALSE(importJwk(*wrong_len, &error));
}

class JwsVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    private_key_ = crypto::generateEcP256();
    crypto::PublicJwk jwk = crypto::publicJwk(private_key_.get(), "k1", "ES256");
    std::string error;
    public_ = *importJwk(*parseJson(jwk.json), &error);
  }
  crypto::PkeyPtr private_key_;
  PublicKey public_;
};

TEST_F(JwsVerifyTest, VerifiesOwnSignatureAndRejectsTampering) {
  crypto::JwsSigner signer(private_key_, "ES256", "k1");
  std::string token = signer.sign("JWT", R"({"sub":"x"})");
  CompactJws jws;
  ASSERT_EQ(parseCompactJws(token, {}, &jws), Status::kOk);
  EXPECT_EQ(jws.kid, "k1");
  EXPECT_EQ(verifySignature(jws.alg, public_, jws.signing_input, jws.signature), Status::kOk);
  jws.signing_input[5] ^= 1;
  EXPECT_EQ(verifySignature(jws.alg, public_, jws.signing_input, jws.signature),
            Status::kBadSignature);
}

TEST_F(JwsVerifyTest, PsychicSignatureIsRejected) {
  crypto::JwsSigner signer(private_key_, "ES256", "k1");
  CompactJws jws;
  ASSERT_EQ(parseCompactJws(signer.sign("JWT", "{}"), {}, &jws), Status::kOk);
  EXPECT_EQ(verifySignature("ES256", public_, jws.signing_input, std::string(64, '\0')),
            Status::kBadSignature);
  EXPECT_EQ(verifySignature("ES256", public_, jws.signing_input, jws.signature.substr(0, 63)),
            Status::kBadSignature);
  EXPECT_EQ(verifySignature("ES384", public_, jws.signing_input, jws.signature),
            Status::kNoUsableKey);
}

TEST(PkeyCtxCacheTest, OneReadyContextPerKeyAlgorithmAndDirection) {
  crypto::PkeyPtr a = crypto::generateEcP256();
  crypto::PkeyPtr b = crypto::generateEcP256();
  EVP_PKEY_CTX* verify_a = cachedPkeyCtx(a.get(), "ES256", false);
  ASSERT_NE(verify_a, nullptr);
  EXPECT_EQ(cachedPkeyCtx(a.get(), "ES256", false), verify_a);
  EXPECT_NE(cachedPkeyCtx(a.get(), "ES256", true), verify_a);
  EXPECT_NE(cachedPkeyCtx(b.get(), "ES256", false), verify_a);
  EXPECT_EQ(cachedPkeyCtx(a.get(), "EdDSA", false), nullptr);  // no pre-hash form
  // Older entries give way; the first is rebuilt when asked for again, and still works.
  std::vector<crypto::PkeyPtr> others;
  for (int i = 0; i < 40; ++i) {
    others.push_back(crypto::generateEcP256());
    ASSERT_NE(cachedPkeyCtx(others.back().get(), "ES256", false), nullptr);
  }
  crypto::JwsSigner signer(a, "ES256", "k");
  CompactJws jws;
  ASSERT_EQ(parseCompactJws(signer.sign("JWT", "{}"), {}, &jws), Status::kOk);
  std::string error;
  PublicKey pub = *importJwk(*parseJson(crypto::publicJwk(a.get(), "k", "ES256").json), &error);
  EXPECT_EQ(verifySignature("ES256", pub, jws.signing_input, jws.signature), Status::kOk);
}

namespace {

/// EVP_DigestSign/Verify in one go with the JWA parameters: independent of the cached contexts.
bool oneShot(bool sign, EVP_PKEY* key, const std::string& alg, const std::string& input,
             std::string* sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = EVP_get_digestbyname(("SHA" + alg.substr(2)).c_str());
  bool ok = (sign ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, key)
                  : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key)) == 1;
  if (ok && alg[0] == 'P') {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (ok && sign) {
    size_t len = 0;
    ok = EVP_DigestSign(ctx, nullptr, &len, in, input.size()) == 1;
    sig->resize(len);
    ok = ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig->data()), &len, in,
                              input.size()) == 1;
    sig->resize(len);
  } else if (ok) {
    ok = EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(), in,
                          input.size()) == 1;
  }
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

TEST(PkeyCtxCacheTest, RsaAndPssInteroperateWithOneShotEvp) {
  crypto::PkeyPtr key = crypto::adoptPkey(EVP_RSA_gen(2048));
  ASSERT_TRUE(key);
  std::string error;
  const std::string input = "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0";
  for (const std::string alg : {"RS256", "RS384", "PS256", "PS512"}) {
    PublicKey pub = *importJwk(*parseJson(crypto::publicJwk(key.get(), "k", alg).json), &error);
    std::string sig;
    ASSERT_TRUE(oneShot(true, key.get(), alg, input, &sig)) << alg;
    EXPECT_EQ(verifySignature(alg, pub, input, sig), Status::kOk) << alg;
    std::string other = (alg[0] == 'P' ? "RS" : "PS") + alg.substr(2);
    PublicKey pub_other =
        *importJwk(*parseJson(crypto::publicJwk(key.get(), "k", other).json), &error);
    EXPECT_EQ(verifySignature(other, pub_other, input, sig), Status::kBadSignature) << alg;
    // And a signature made with the cached signing context verifies one-shot.
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t digest_len = 0, len = 0;
    EVP_PKEY_CTX* pctx = cachedPkeyCtx(key.get(), alg, true);
    ASSERT_TRUE(pctx && digestOf(alg, input, digest, &digest_len));
    ASSERT_EQ(EVP_PKEY_sign(pctx, nullptr, &len, digest, digest_len), 1);
    std::string cached(len, '\0');
    ASSERT_EQ(EVP_PKEY_sign(pctx, reinterpret_cast<unsigned char*>(cached.data()), &len, digest,
                            digest_len),
              1);
    cached.resize(len);
    EXPECT_TRUE(oneShot(false, key.get(), alg, input, &cached)) << alg;
  }
}

TEST(JwsParseTest, StructuralRejections) {
  CompactJws jws;
  std::string h = base64UrlEncode(R"({"alg":"ES256"})"), p = base64UrlEncode("{}");
  EXPECT_EQ(parseCompactJws(h + "." + p, {}, &jws), Status::kMalformed);
  EXPECT_EQ(parseCompactJws(h + "." + p + "..", {}, &jws), Status::kMalformed);
  EXPECT_EQ(parseCompactJws(h + "." + p + ".AA==", {}, &jws), Status::kMalformed);
  EXPECT_EQ(parseCompactJws(base64UrlEncode(R"({"alg":1})") + "." + p + ".AA", {}, &jws),
            Status::kBadHeader);
  EXPECT_EQ(
      parseCompactJws(base64UrlEncode(R"({"alg":"ES256","crit":[]})") + "." + p + ".AA", {}, &jws),
      Status::kCritUnsupported);
  EXPECT_EQ(parseCompactJws(std::string(20000, 'a'), {}, &jws), Status::kTooLarge);
  EXPECT_EQ(parseCompactJws(h + "." + p + ".AA", {}, &jws), Status::kOk);
}

TEST(HmacTest, SecretBytesAndLength) {
  std::string secret(32, 's');
  EXPECT_EQ(verifyHmac("HS256", std::string(31, 's'), "a.b", "x"), Status::kNoUsableKey);
  EXPECT_EQ(verifyHmac("HS256", secret, "a.b", std::string(32, 'x')), Status::kBadSignature);
  EXPECT_EQ(verifyHmac("none", secret, "a.b", ""), Status::kAlgNotAllowed);
}

class ClaimsTest : public ::testing::Test {
 protected:
  std::string check(const std::string& payload) {
    std::string reason;
    auto j = parseJson(payload);
    auto c = checkAssertionClaims(*j, policy_, 1000000, &reason);
    return c ? "ok" : reason;
  }
  AssertionPolicy policy_{60, 300 * 60, 3600, {"https://as", "https://as/token"}};
};

TEST_F(ClaimsTest, TimeRulesUseSkew) {
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":"https://as","exp":1000060,"jti":"j"})"), "ok");
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":"https://as","exp":999940,"jti":"j"})"), "ok")
      << "exp + skew";
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":"https://as","exp":999939,"jti":"j"})"),
            "assertion expired");
  EXPECT_EQ(
      check(R"({"iss":"c","sub":"c","aud":"https://as","exp":1000060,"nbf":1000061,"jti":"j"})"),
      "assertion not yet valid");
  EXPECT_EQ(
      check(R"({"iss":"c","sub":"c","aud":"https://as","exp":1000060,"iat":1000061,"jti":"j"})"),
      "assertion issued in the future");
  EXPECT_EQ(
      check(R"({"iss":"c","sub":"c","aud":"https://as","exp":1000060,"iat":981939,"jti":"j"})"),
      "assertion too old");
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":"https://as","exp":1003601,"jti":"j"})"),
            "assertion lifetime too long");
  policy_.reject_before_s = 0;
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":"https://as","exp":1000060,"iat":1,"jti":"j"})"),
            "ok");
}

TEST_F(ClaimsTest, AudienceForms) {
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":["https://as/token"],"exp":1000060,"jti":"j"})"),
            "ok");
  EXPECT_EQ(
      check(R"({"iss":"c","sub":"c","aud":["https://as","https://evil"],"exp":1000060,"jti":"j"})"),
      "aud not accepted");
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":"https://as/","exp":1000060,"jti":"j"})"),
            "aud not accepted");
  EXPECT_EQ(check(R"({"iss":"c","sub":"c","aud":[123],"exp":1000060,"jti":"j"})"),
            "aud not accepted");
}

TEST(AssertionTypTest, OnlyClientAssertionTypes) {
  EXPECT_TRUE(assertionTypAllowed(""));
  EXPECT_TRUE(assertionTypAllowed("JWT"));
  EXPECT_TRUE(assertionTypAllowed("application/client-authentication+jwt"));
  EXPECT_FALSE(assertionTypAllowed("at+jwt"));
  EXPECT_FALSE(assertionTypAllowed("application/at+jwt"));
}

}  // namespace
}  // namespace idgate::jose
