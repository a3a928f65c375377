// client_secret_basic (RFC 6749 §2.3.1): client id and secret in the Authorization header.
#include <idgate/sdk.h>

#include <cctype>

#include "../common/credential_codec.h"

namespace {

using idgate::sdk::Outcome;

class ClientSecretBasic : public idgate::sdk::ClientAuthenticator {
 public:
  static constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_SECRET_VERIFY;
  static constexpr idgate_secret_form kSecretForm = IDGATE_SECRET_HASHED;
  /// RFC 7591 §2: the method of a registration that names none.
  static constexpr bool kDefaultMethod = true;
  ClientSecretBasic(idgate::sdk::Host& host, const idgate::sdk::Properties&) : host_(host) {}

  Outcome authenticate(const idgate::sdk::Request& request) override {
    const std::string& header = request.authorization();
    if (header.size() < 6 || !equalsIgnoreCase(header.substr(0, 6), "basic ")) {
      return Outcome::notHandled();
    }
    auto decoded = idgate::plugins::decodeBase64(header.substr(6));
    if (!decoded) return Outcome::badRequest("malformed Basic credentials");
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return Outcome::badRequest("malformed Basic credentials");
    auto id = idgate::plugins::formDecode(decoded->substr(0, colon));
    auto secret = idgate::plugins::formDecode(decoded->substr(colon + 1));
    if (!id || !secret || id->empty()) return Outcome::badRequest("malformed Basic credentials");
    if (auto form_id = request.param("client_id"); form_id && *form_id != *id) {
      return Outcome::badRequest("client_id does not match the Basic credentials");
    }
    // One answer, in the same time, for an unknown client and a wrong secret: the host spends
    // a hash verification either way, so neither wording nor timing tells which ids exist.
    if (!host_.verifyClientSecret(*id, *secret)) {
      return Outcome::denied("client unknown or secret does not match");
    }
    return Outcome::authenticated(*id);
  }

 private:
  static bool equalsIgnoreCase(const std::string& a, const char* b) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (b[i] == '\0' || std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return b[a.size()] == '\0';
  }
  idgate::sdk::Host& host_;
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(
    ClientSecretBasic, "client_secret_basic", "client_secret_basic",
    IDGATE_NAMES(
        "BasicAuthClientAuthenticator",
        "org.wso2.carbon.identity.oauth2.client.authentication.BasicAuthClientAuthenticator"),
    IDGATE_NAMES())
