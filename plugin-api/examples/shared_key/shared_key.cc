// Example dropin: authenticates `Authorization: SharedKey <key>` plus `client_id=<id>` against
// a key configured in identity.xml:
//
//   <EventListener type="org.wso2.carbon.identity.core.handler.AbstractIdentityHandler"
//                  name="shared_key" orderId="30" enable="true">
//     <Property name="SharedKey">...at least 32 characters...</Property>
//   </EventListener>
//
// Clients registered with token_endpoint_auth_method=shared_key may use it.
#include <idgate/sdk.h>

#include <string>

namespace {

using idgate::sdk::Outcome;

class SharedKey : public idgate::sdk::ClientAuthenticator {
 public:
  // The one host service it calls: any other would be refused.
  static constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_READ;
  SharedKey(idgate::sdk::Host& host, const idgate::sdk::Properties& props) : host_(host) {
    auto key = props.get("SharedKey");
    if (!key || key->size() < 32) {
      throw idgate::sdk::ConfigError("property SharedKey must be set to at least 32 characters");
    }
    key_ = *key;
    host_.info("shared_key authenticator configured");
  }

  Outcome authenticate(const idgate::sdk::Request& request) override {
    const std::string prefix = "SharedKey ";
    const std::string& header = request.authorization();
    if (header.compare(0, prefix.size(), prefix) != 0) return Outcome::notHandled();
    auto client_id = request.param("client_id");
    if (!client_id) return Outcome::badRequest("client_id is required with SharedKey");
    if (!equals(header.substr(prefix.size()), key_))
      return Outcome::denied("shared key does not match");
    if (!host_.clientMetadata(*client_id)) return Outcome::denied("client unknown");
    return Outcome::authenticated(*client_id);
  }

 private:
  // Constant-time comparison: the time taken does not depend on where the keys differ.
  static bool equals(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
  }

  idgate::sdk::Host& host_;
  std::string key_;
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(SharedKey, "shared_key", "shared_key",
                            IDGATE_NAMES("com.example.idgate.SharedKeyAuthenticator"),
                            IDGATE_NAMES())
