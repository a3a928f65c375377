// DpopProofVerifier with a fixed time and an in-memory JTI table: each rule of RFC 9449 §4.3,
// the nonce's lifetime, replay, and a store failure that is never a "yes".
#include <gtest/gtest.h>
#include <idgate/jose/base64url.h>

#include <set>

#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "crypto/jws_signer.h"
#include "crypto/keys.h"
#include "resource/dpop_proof.h"
#include "store/store_error.h"

namespace idgate {
namespace {

class MemoryJtis : public JtiStore {
 public:
  Result checkAndInsert(const std::string& scope, const std::string& jti, int64_t,
                        int64_t) override {
    if (failing) throw StoreError("down");
    scopes.insert(scope);
    return seen.insert(scope + "\n" + jti).second ? Result::kFresh : Result::kReplayed;
  }
  int purgeExpired(int64_t, int) override { return 0; }
  std::set<std::string> seen, scopes;
  bool failing = false;
};

/// A client's key and the proofs it signs.
struct ClientKey {
  crypto::PkeyPtr key = crypto::generateEcP256();
  crypto::PublicJwk jwk = crypto::publicJwk(key.get(), "", "ES256");

  std::string proof(const std::string& payload, const std::string& typ = "dpop+jwt") const {
    std::string header = "{\"typ\":\"" + typ + "\",\"alg\":\"ES256\",\"jwk\":" + jwk.json + "}";
    std::string input = base64UrlEncode(header) + "." + base64UrlEncode(payload);
    crypto::JwsSigner own(key, "ES256", "");
    return input + "." + base64UrlEncode(own.rawSignature(input));
  }
};

std::string payload(const std::string& jti, const std::string& htm, const std::string& htu,
                    int64_t iat, const std::string& extra = "") {
  return "{\"jti\":\"" + jti + "\",\"htm\":\"" + htm + "\",\"htu\":\"" + htu +
         "\",\"iat\":" + std::to_string(iat) + extra + "}";
}

class DpopProofTest : public ::testing::Test {
 protected:
  DpopProofTest() : verifier_(config_, 60, jtis_, box_) {}
  DpopConfig config_;
  MemoryJtis jtis_;
  std::shared_ptr<const crypto::SecretBox> box_ =
      std::make_shared<const crypto::SecretBox>(std::string(32, 'k'));
  DpopProofVerifier verifier_;
  ClientKey client_;
  const int64_t now_ = 1'700'000'000;
  const std::string url_ = "https://idp.example/oauth2/token";
};

TEST_F(DpopProofTest, AGoodProofGivesTheKeysThumbprintOnce) {
  std::string p = client_.proof(payload("j1", "POST", url_, now_));
  DpopOutcome v = verifier_.verify(p, {"POST", url_, "", ""}, now_);
  ASSERT_EQ(v.kind, DpopOutcome::Kind::kOk) << v.description;
  EXPECT_EQ(v.jkt, client_.jwk.thumbprint);
  EXPECT_EQ(jtis_.scopes, std::set<std::string>{"dpop:" + client_.jwk.thumbprint})
      << "kept apart from client assertions";
  v = verifier_.verify(p, {"POST", url_, "", ""}, now_);
  EXPECT_EQ(v.description, "the DPoP proof was already used (jti)");
}

TEST_F(DpopProofTest, EachRuleHasItsReason) {
  auto check = [&](const std::string& proof, const DpopRequest& r) {
    return verifier_.verify(proof, r, now_).description;
  };
  const DpopRequest post{"POST", url_, "", ""};
  EXPECT_EQ(check(client_.proof(payload("a", "POST", url_, now_), "JWT"), post),
            "the DPoP proof's typ must be dpop+jwt");
  EXPECT_EQ(check(client_.proof(payload("b", "GET", url_, now_)), post),
            "the DPoP proof's htm is not POST");
  EXPECT_EQ(check(client_.proof(payload("c", "POST", "https://idp.example/other", now_)), post),
            "the DPoP proof's htu is not " + url_);
  EXPECT_EQ(check(client_.proof(payload("d", "POST", url_, now_ - 361)), post),
            "the DPoP proof's iat is not recent (proofs are good for 300 s)");
  EXPECT_EQ(check(client_.proof(payload("e", "POST", url_, now_ + 61)), post),
            "the DPoP proof's iat is not recent (proofs are good for 300 s)");
  EXPECT_EQ(
      verifier_.verify(client_.proof(payload("f", "POST", url_, now_ - 359)), post, now_).kind,
      DpopOutcome::Kind::kOk)
      << "max age plus skew";
  const std::string at = "the-access-token";
  const std::string ath = base64UrlEncode(crypto::sha256(at));
  const DpopRequest get{"GET", "https://api.example/orders", at, client_.jwk.thumbprint};
  EXPECT_EQ(check(client_.proof(payload("g", "GET", "https://api.example/orders", now_)), get),
            "the DPoP proof's ath is not the hash of this access token");
  EXPECT_EQ(verifier_
                .verify(client_.proof(payload("h", "GET", "https://API.example:443/orders?page=2",
                                              now_, ",\"ath\":\"" + ath + "\"")),
                        get, now_)
                .kind,
            DpopOutcome::Kind::kOk)
      << "default port, host case and query do not count";
  ClientKey thief;
  EXPECT_EQ(check(thief.proof(payload("i", "GET", "https://api.example/orders", now_,
                                      ",\"ath\":\"" + ath + "\"")),
                  get),
            "the DPoP proof is signed with another key than the token is bound to");
}

TEST_F(DpopProofTest, NoncesAreSealedTimestampsWithALifetime) {
  config_.require_nonce = true;
  DpopOutcome v = verifier_.verify(client_.proof(payload("n1", "POST", url_, now_)),
                                   {"POST", url_, "", ""}, now_);
  EXPECT_EQ(v.kind, DpopOutcome::Kind::kUseNonce);
  const std::string nonce = verifier_.nonce(now_);
  auto with = [&](const std::string& jti, const std::string& n, int64_t at) {
    return verifier_
        .verify(client_.proof(payload(jti, "POST", url_, at, ",\"nonce\":\"" + n + "\"")),
                {"POST", url_, "", ""}, at)
        .kind;
  };
  EXPECT_EQ(with("n2", nonce, now_ + 299), DpopOutcome::Kind::kOk);
  EXPECT_EQ(with("n3", nonce, now_ + 300), DpopOutcome::Kind::kUseNonce) << "expired";
  EXPECT_EQ(with("n4", "v1.forged", now_), DpopOutcome::Kind::kUseNonce);
}

TEST_F(DpopProofTest, AStoreFailureIsAServerErrorNeverAPass) {
  jtis_.failing = true;
  DpopOutcome v = verifier_.verify(client_.proof(payload("s1", "POST", url_, now_)),
                                   {"POST", url_, "", ""}, now_);
  EXPECT_EQ(v.kind, DpopOutcome::Kind::kServerError);
}

TEST(DpopHeaderTest, OneHeaderOrNoneOrRefused) {
  HttpRequestData r;
  EXPECT_FALSE(dpopHeader(r));
  r.headers = {{"dpop", " abc "}};
  EXPECT_EQ(dpopHeader(r).value_or("?"), "abc");
  r.headers.emplace_back("DPoP", "def");
  EXPECT_EQ(dpopHeader(r).value_or("?"), "") << "two proofs: refused";
  EXPECT_EQ(normalizedHtu("HTTPS://Idp.Example:443/a/b?x#y"), "https://idp.example/a/b");
  EXPECT_EQ(normalizedHtu("http://idp.example:8080"), "http://idp.example:8080/");
  EXPECT_EQ(normalizedHtu("/relative"), "");
}

}  // namespace
}  // namespace idgate
