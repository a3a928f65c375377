// client_secret_post (RFC 6749 §2.3.1): client_id and client_secret as form parameters.
#include <idgate/sdk.h>

namespace {

using idgate::sdk::Outcome;

class ClientSecretPost : public idgate::sdk::ClientAuthenticator {
 public:
  static constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_SECRET_VERIFY;
  static constexpr idgate_secret_form kSecretForm = IDGATE_SECRET_HASHED;
  ClientSecretPost(idgate::sdk::Host& host, const idgate::sdk::Properties&) : host_(host) {}

  Outcome authenticate(const idgate::sdk::Request& request) override {
    auto secret = request.param("client_secret");
    if (!secret) return Outcome::notHandled();
    auto id = request.param("client_id");
    if (!id || id->empty()) return Outcome::badRequest("client_id is required with client_secret");
    // One answer, in the same time, for an unknown client and a wrong secret: the host spends
    // a hash verification either way, so neither wording nor timing tells which ids exist.
    if (!host_.verifyClientSecret(*id, *secret)) {
      return Outcome::denied("client unknown or secret does not match");
    }
    return Outcome::authenticated(*id);
  }

 private:
  idgate::sdk::Host& host_;
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(ClientSecretPost, "client_secret_post", "client_secret_post",
                            IDGATE_NAMES("BasicAuthClientAuthenticator.post"), IDGATE_NAMES())
