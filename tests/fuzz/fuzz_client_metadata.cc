// RFC 7591 client metadata validation (the admin API's registration body) with the bundled
// plugins' catalog: no crash, and normalisation is stable: what an accepted body normalises to is
// accepted again and normalises to itself, with the same method and signing algorithm.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "clients/client_metadata.h"

using namespace idgate;

namespace {

std::optional<MethodInfo> method(const std::string& m) {
  if (m == "client_secret_basic" || m == "client_secret_post")
    return MethodInfo{{}, SecretForm::kHash};
  if (m == "none") return MethodInfo{};
  if (m == "client_secret_jwt") return MethodInfo{{"HS256", "HS384", "HS512"}, SecretForm::kSealed};
  if (m == "private_key_jwt") {
    return MethodInfo{
        {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"},
        SecretForm::kNone};
  }
  return std::nullopt;
}

const RegistrationCatalog catalog{method, [] { return std::string("client_secret_basic"); },
                                  [] {
                                    return std::vector<std::string>{
                                        "client_credentials", "authorization_code", "refresh_token",
                                        "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                        "urn:ietf:params:oauth:grant-type:token-exchange"};
                                  }};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  ValidatedMetadata first;
  if (validateClientMetadata(body, catalog, &first)) return 0;
  if (!first.client_id.empty() && !isValidClientId(first.client_id)) std::abort();
  if (first.auth_method.empty()) std::abort();
  ValidatedMetadata again;
  if (auto error = validateClientMetadata(first.metadata_json, catalog, &again)) {
    std::fprintf(stderr, "normalised metadata refused: %s\n%s\n", error->c_str(),
                 first.metadata_json.c_str());
    std::abort();
  }
  if (again.metadata_json != first.metadata_json || again.auth_method != first.auth_method ||
      again.signing_alg != first.signing_alg) {
    std::fprintf(stderr, "not stable:\n%s\n%s\n", first.metadata_json.c_str(),
                 again.metadata_json.c_str());
    std::abort();
  }
  return 0;
}
