// private_key_jwt (RFC 7523, OIDC Core §9): the client signs an assertion with its private key.
// Keys come only from the client's registration: inline jwks, jwks_uri (through the host's
// cache), or the certificate in the server keystore whose alias is the client id (WSO2 flow).
// Never from the token header.
#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include "../jwt_common/assertion_authenticator.h"

namespace {

using idgate::plugins::SignatureCheck;
namespace jose = idgate::jose;

constexpr size_t kMaxCandidates = 8;

class PrivateKeyJwt : public idgate::plugins::AssertionAuthenticator {
 public:
  PrivateKeyJwt(idgate::sdk::Host& host, const idgate::sdk::Properties& props)
      : AssertionAuthenticator(host, props, "private_key_jwt") {}

 protected:
  bool algorithmAllowed(const std::string& alg) const override { return jose::isAsymmetricAlgorithm(alg); }

  SignatureCheck verifySignature(const jose::CompactJws& jws, const std::string& client_id,
                                 const jose::Json& metadata) override {
    if (const jose::Json* inline_jwks = metadata.get("jwks")) {
      return checkWithSet(jws, *inline_jwks);
    }
    if (auto uri = metadata.getString("jwks_uri")) {
      auto jwks = fetch(*uri, false);
      if (!jwks) return {"client keys unavailable (jwks_uri)"};
      SignatureCheck r = checkWithSet(jws, *jwks);
      if (r.reason == "unknown kid") {
        // The client may have rotated its keys: one throttled refetch, then the same rule.
        jwks = fetch(*uri, true);
        if (!jwks) return {"client keys unavailable (jwks_uri)"};
        r = checkWithSet(jws, *jwks);
      }
      return r;
    }
    // WSO2: the client's certificate imported into the keystore under the client id.
    auto der = host_.keystoreCertificate(client_id);
    if (!der) return {"client has no registered keys"};
    std::string why;
    auto key = jose::importCertificate(*der, &why);
    if (!key) {
      host_.warn("keystore certificate of client " + client_id + " unusable: " + why);
      return {"client certificate unusable"};
    }
    if (!jose::keyFitsAlgorithm(*key, jws.alg)) return {"algorithm not allowed"};
    if (jose::verifySignature(jws.alg, *key, jws.signing_input, jws.signature) != jose::Status::kOk) {
      return {"bad signature"};
    }
    return {};
  }

 private:
  std::optional<jose::Json> fetch(const std::string& uri, bool refresh) {
    try {
      auto text = host_.fetchJwks(uri, refresh);
      if (!text) return std::nullopt;
      return jose::parseJson(*text, jose::JsonLimits{16, 1024 * 1024});
    } catch (const idgate::sdk::HostError&) {
      return std::nullopt;
    }
  }

  SignatureCheck checkWithSet(const jose::CompactJws& jws, const jose::Json& set) {
    int skipped = 0;
    std::string why;
    auto keys = jose::importJwks(set, &skipped, &why);
    if (!keys) return {"client keys unusable"};
    if (skipped > 0) host_.warn("skipped " + std::to_string(skipped) + " unusable client key(s): " + why);
    std::vector<const jose::PublicKey*> candidates;
    for (const auto& k : *keys) {
      // kid is an exact lookup key inside this client's keys, nothing more.
      if (!jws.kid.empty() && k.kid != jws.kid) continue;
      candidates.push_back(&k);
    }
    if (!jws.kid.empty() && candidates.empty()) return {"unknown kid"};
    bool any_fits = false;
    for (size_t i = 0; i < candidates.size() && i < kMaxCandidates; ++i) {
      if (!jose::keyFitsAlgorithm(*candidates[i], jws.alg)) continue;
      any_fits = true;
      if (jose::verifySignature(jws.alg, *candidates[i], jws.signing_input, jws.signature) == jose::Status::kOk) {
        return {};
      }
    }
    return {any_fits ? "bad signature" : "algorithm not allowed"};
  }
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(
    PrivateKeyJwt, "private_key_jwt", "private_key_jwt",
    IDGATE_NAMES("PrivateKeyJWTClientAuthenticator",
                 "org.wso2.carbon.identity.oauth2.token.handler.clientauth.jwt.PrivateKeyJWTClientAuthenticator"),
    IDGATE_NAMES("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"))
