// private_key_jwt (RFC 7523, OIDC Core §9): the client signs an assertion with its private key.
// Keys come only from the client's registration: inline jwks, jwks_uri (through the host's
// cache), or the certificate in the server keystore whose alias is the client id (WSO2 flow).
// Never from the token header.
#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include "../jwt_common/assertion_authenticator.h"
#include "../jwt_common/key_set_verifier.h"

namespace {

using idgate::plugins::SignatureCheck;
namespace jose = idgate::jose;

class PrivateKeyJwt : public idgate::plugins::AssertionAuthenticator {
 public:
  static constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_READ | IDGATE_CAP_KEYSTORE_READ |
                                            IDGATE_CAP_JTI_WRITE | IDGATE_CAP_URL_FETCH;
  PrivateKeyJwt(idgate::sdk::Host& host, const idgate::sdk::Properties& props)
      : AssertionAuthenticator(host, props, "private_key_jwt"), verifier_(host, "client") {
    reject_invalid_certificates_ = props.getBool("RejectExpiredCertificates", true);
  }

 protected:
  bool algorithmAllowed(const std::string& alg) const override {
    return jose::isAsymmetricAlgorithm(alg);
  }

  SignatureCheck verifySignature(const jose::CompactJws& jws, const std::string& client_id,
                                 const jose::Json& metadata,
                                 const std::string& metadata_text) override {
    if (const jose::Json* inline_jwks = metadata.get("jwks")) {
      return verifier_.withSet(jws, *inline_jwks, metadata_text);
    }
    if (auto uri = metadata.getString("jwks_uri")) return verifier_.withUri(jws, *uri);
    // WSO2: the client's certificate imported into the keystore under the client id.
    auto der = host_.keystoreCertificate(client_id);
    if (!der) {
      return {
          "client has no registered keys: register a JWKS (jwks or jwks_uri) or import a "
          "certificate under alias " +
          client_id};
    }
    return verifier_.withCertificate(jws, *der, reject_invalid_certificates_,
                                     "client " + client_id);
  }

 private:
  idgate::plugins::KeySetVerifier verifier_;
  bool reject_invalid_certificates_ = true;
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(PrivateKeyJwt, "private_key_jwt", "private_key_jwt",
                            IDGATE_NAMES("PrivateKeyJWTClientAuthenticator",
                                         "org.wso2.carbon.identity.oauth2.token.handler.clientauth."
                                         "jwt.PrivateKeyJWTClientAuthenticator"),
                            IDGATE_NAMES("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                         "ES256", "ES384", "ES512", "EdDSA"))
