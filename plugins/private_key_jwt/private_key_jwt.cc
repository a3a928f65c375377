// private_key_jwt (RFC 7523, OIDC Core §9): the client signs an assertion with its private key.
// Keys come only from the client's registration: inline jwks, jwks_uri (through the host's
// cache), or the certificate in the server keystore whose alias is the client id (WSO2 flow).
// Never from the token header.
#include <idgate/jose/jws.h>
#include <idgate/jose/key_cache.h>
#include <idgate/sdk.h>

#include "../jwt_common/assertion_authenticator.h"

namespace {

using idgate::jose::ImportedKeys;
using idgate::plugins::SignatureCheck;
namespace jose = idgate::jose;

constexpr size_t kMaxCandidates = 8;

class PrivateKeyJwt : public idgate::plugins::AssertionAuthenticator {
 public:
  PrivateKeyJwt(idgate::sdk::Host& host, const idgate::sdk::Properties& props)
      : AssertionAuthenticator(host, props, "private_key_jwt") {
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
      return checkWithSet(jws, *keys_.get(metadata_text, [&] { return importSet(*inline_jwks); }));
    }
    if (auto uri = metadata.getString("jwks_uri")) {
      auto text = fetch(*uri, false);
      if (!text) return {"client keys unavailable (jwks_uri)"};
      SignatureCheck r = checkWithSet(jws, *importText(*text));
      if (r.reason == "unknown kid") {
        // The client may have rotated its keys: one throttled refetch, then the same rule.
        text = fetch(*uri, true);
        if (!text) return {"client keys unavailable (jwks_uri)"};
        r = checkWithSet(jws, *importText(*text));
      }
      return r;
    }
    // WSO2: the client's certificate imported into the keystore under the client id.
    auto der = host_.keystoreCertificate(client_id);
    if (!der) {
      return {
          "client has no registered keys: register a JWKS (jwks or jwks_uri) or import a "
          "certificate under alias " +
          client_id};
    }
    auto imported = keys_.get(*der, [&] {
      ImportedKeys out;
      if (auto key = jose::importCertificate(*der, &out.error)) {
        out.keys.push_back(std::move(*key));
        out.valid = true;
      }
      return out;
    });
    if (!imported->valid) {
      host_.warn("keystore certificate of client " + client_id + " unusable: " + imported->error);
      return {"client certificate unusable"};
    }
    const jose::PublicKey& key = imported->keys.front();
    if (reject_invalid_certificates_) {
      int64_t now = host_.nowSeconds();
      if (now > key.not_after) return {"client certificate expired"};
      if (now < key.not_before) return {"client certificate not yet valid"};
    }
    if (!jose::keyFitsAlgorithm(key, jws.alg)) return {"algorithm not allowed"};
    if (jose::verifySignature(jws.alg, key, jws.signing_input, jws.signature) !=
        jose::Status::kOk) {
      return {"bad signature"};
    }
    return {};
  }

 private:
  std::optional<std::string> fetch(const std::string& uri, bool refresh) {
    try {
      return host_.fetchJwks(uri, refresh);
    } catch (const idgate::sdk::HostError&) {
      return std::nullopt;
    }
  }

  // Runs once per distinct key set (the result is cached), so its warning is logged once.
  ImportedKeys importSet(const jose::Json& set) {
    ImportedKeys out;
    if (auto keys = jose::importJwks(set, &out.skipped, &out.error)) {
      out.keys = std::move(*keys);
      out.valid = true;
    }
    if (out.skipped > 0) {
      host_.warn("skipped " + std::to_string(out.skipped) +
                 " unusable client key(s): " + out.error);
    }
    return out;
  }

  std::shared_ptr<const ImportedKeys> importText(const std::string& text) {
    return keys_.get(text, [&] {
      auto json = jose::parseJson(text, jose::JsonLimits{16, 1024 * 1024});
      if (!json) return ImportedKeys{{}, "not JSON", 0, false};
      return importSet(*json);
    });
  }

  SignatureCheck checkWithSet(const jose::CompactJws& jws, const ImportedKeys& imported) {
    if (!imported.valid) return {"client keys unusable"};
    std::vector<const jose::PublicKey*> candidates;
    for (const auto& k : imported.keys) {
      // kid is an exact lookup key inside this client's keys, nothing more.
      if (!jws.kid.empty() && k.kid != jws.kid) continue;
      candidates.push_back(&k);
    }
    if (!jws.kid.empty() && candidates.empty()) return {"unknown kid"};
    bool any_fits = false;
    for (size_t i = 0; i < candidates.size() && i < kMaxCandidates; ++i) {
      if (!jose::keyFitsAlgorithm(*candidates[i], jws.alg)) continue;
      any_fits = true;
      if (jose::verifySignature(jws.alg, *candidates[i], jws.signing_input, jws.signature) ==
          jose::Status::kOk) {
        return {};
      }
    }
    return {any_fits ? "bad signature" : "algorithm not allowed"};
  }

  idgate::jose::KeyCache keys_;
  bool reject_invalid_certificates_ = true;
};

}  // namespace

IDGATE_CLIENT_AUTHENTICATOR(PrivateKeyJwt, "private_key_jwt", "private_key_jwt",
                            IDGATE_NAMES("PrivateKeyJWTClientAuthenticator",
                                         "org.wso2.carbon.identity.oauth2.token.handler.clientauth."
                                         "jwt.PrivateKeyJWTClientAuthenticator"),
                            IDGATE_NAMES("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                         "ES256", "ES384", "ES512", "EdDSA"))
