// none (RFC 7591 §2): public clients identify themselves with client_id alone.
// The host only accepts the result for clients registered with token_endpoint_auth_method=none.
#include <idgate/sdk.h>

namespace {

using idgate::sdk::Outcome;

class PublicClient : public idgate::sdk::ClientAuthenticator {
 public:
  static constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_READ;
  PublicClient(idgate::sdk::Host& host, const idgate::sdk::Properties&) : host_(host) {}

  Outcome authenticate(const idgate::sdk::Request& request) override {
    // Any credential means another method applies.
    if (!request.authorization().empty() || request.param("client_secret") ||
        request.param("client_assertion") || request.param("client_assertion_type")) {
      return Outcome::notHandled();
    }
    auto id = request.param("client_id");
    if (!id || id->empty()) return Outcome::notHandled();
    // The same words the host uses for a registered client of another method: a request
    // without credentials must not tell which client ids exist.
    if (!host_.clientMetadata(*id)) {
      return Outcome::denied(
          "client unknown, or not registered for token_endpoint_auth_method none");
    }
    return Outcome::authenticated(*id);
  }

 private:
  idgate::sdk::Host& host_;
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(PublicClient, "none", "none", IDGATE_NAMES("PublicClientAuthenticator"),
                            IDGATE_NAMES())
