// client_secret_jwt (RFC 7523, OIDC Core §9): the assertion is an HMAC keyed with the UTF-8
// bytes of the client secret as registered (no Base64 step, unlike Liferay before 2025.Q2).
#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include "../jwt_common/assertion_authenticator.h"

namespace {

using idgate::plugins::SignatureCheck;
namespace jose = idgate::jose;

class ClientSecretJwt : public idgate::plugins::AssertionAuthenticator {
 public:
  static constexpr uint64_t kCapabilities =
      IDGATE_CAP_CLIENT_READ | IDGATE_CAP_CLIENT_SECRET_READ | IDGATE_CAP_JTI_WRITE;
  static constexpr idgate_secret_form kSecretForm = IDGATE_SECRET_SEALED;
  ClientSecretJwt(idgate::sdk::Host& host, const idgate::sdk::Properties& props)
      : AssertionAuthenticator(host, props, "client_secret_jwt") {}

 protected:
  bool algorithmAllowed(const std::string& alg) const override {
    return jose::isHmacAlgorithm(alg);
  }

  SignatureCheck verifySignature(const jose::CompactJws& jws, const std::string& client_id,
                                 const jose::Json&, const std::string&) override {
    std::optional<std::string> secret;
    try {
      secret = host_.clientSecret(client_id);
    } catch (const idgate::sdk::HostError&) {
      return {"client secret unavailable", true};
    }
    if (!secret) return {"client has no secret for client_secret_jwt"};
    switch (jose::verifyHmac(jws.alg, *secret, jws.signing_input, jws.signature)) {
      case jose::Status::kOk:
        return {};
      case jose::Status::kNoUsableKey:
        return {"client secret is shorter than the hash size of " + jws.alg};
      default:
        return {"bad signature"};
    }
  }
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(ClientSecretJwt, "client_secret_jwt", "client_secret_jwt",
                            IDGATE_NAMES("ClientSecretJWTClientAuthenticator"),
                            IDGATE_NAMES("HS256", "HS384", "HS512"))
