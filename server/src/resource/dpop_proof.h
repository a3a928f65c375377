// DPoP proofs (RFC 9449 §4.3): a JWT the client signs with its own key for each request, typ
// dpop+jwt, the public key in its header, naming the method (htm) and URL (htu), fresh (iat),
// used once (jti, through the durable JTI table under "dpop:<thumbprint>", apart from client
// assertions), with the server's nonce when one is required, and at a resource server the hash
// of the access token (ath) and the key the token is bound to (cnf.jkt). Checked the same way
// at the token endpoint, the resource server and userinfo.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/oauth_error.h"
#include "config/identity_config.h"
#include "crypto/secret_box.h"
#include "http/http_exchange.h"
#include "store/jti_store.h"

namespace idgate {

struct DpopRequest {
  std::string method;        ///< htm must equal it
  std::string url;           ///< htu must name it (query and fragment ignored)
  std::string access_token;  ///< at a resource: ath must be its hash; "" at the token endpoint
  std::string jkt;           ///< the thumbprint the token is bound to; "" for any key
};

struct DpopOutcome {
  enum class Kind { kOk, kInvalid, kUseNonce, kServerError };
  Kind kind = Kind::kInvalid;
  std::string description;  ///< why not (for error_description)
  std::string jkt;          ///< kOk: the proof key's RFC 7638 thumbprint
};

class DpopProofVerifier {
 public:
  DpopProofVerifier(const DpopConfig& config, int64_t skew_s, JtiStore& jtis,
                    std::shared_ptr<const crypto::SecretBox> box);

  /// Never throws; a store failure is kServerError.
  DpopOutcome verify(const std::string& proof, const DpopRequest& request, int64_t now) const;

  /// verify() through the one error mapping: the key's thumbprint, or the refusal
  /// (invalid_dpop_proof; use_dpop_nonce with a fresh nonce for DPoP-Nonce; server_error, the
  /// cause logged). `realm` non-empty: a resource's 401 with a DPoP challenge.
  std::variant<std::string, ApiError> check(const std::string& proof, const DpopRequest& request,
                                            int64_t now, const std::string& realm = "") const;

  /// The sender constraint of a token at a resource (RFC 9449 §7): `jkt` is its cnf.jkt ("" for
  /// an unbound token), `dpop_scheme` whether it came as Authorization: DPoP. A bound token
  /// needs the DPoP scheme and a proof of its key (the `request`'s DPoP header) for `method`
  /// and `url` as the client made the request (for /auth/check, the original one) and the
  /// token's hash; an unbound one the Bearer scheme. nullopt, or the refusal under `realm`.
  std::optional<ApiError> checkSender(const std::string& jkt, bool dpop_scheme,
                                      const HttpRequestData& request, const std::string& method,
                                      const std::string& url, const std::string& token, int64_t now,
                                      const std::string& realm) const;

  /// A nonce for the DPoP-Nonce header, good for nonceLifetimeSeconds on every node sharing
  /// the keystore (a sealed timestamp).
  std::string nonce(int64_t now) const;
  bool requiresNonce() const { return config_.require_nonce; }

 private:
  bool nonceValid(const std::string& nonce, int64_t now) const;

  const DpopConfig& config_;
  int64_t skew_s_;
  JtiStore& jtis_;
  std::shared_ptr<const crypto::SecretBox> box_;
};

/// The value of the single DPoP header of a request: nullopt when there is none, "" when there
/// are several (refused as invalid_dpop_proof).
std::optional<std::string> dpopHeader(const HttpRequestData& request);

/// scheme://host[:port]/path of an absolute URL, lower-cased scheme and host, default port
/// dropped, query and fragment left out; "" when it is not one (RFC 9449 §4.3 step 9).
std::string normalizedHtu(const std::string& url);

}  // namespace idgate
