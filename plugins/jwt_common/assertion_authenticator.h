// What private_key_jwt and client_secret_jwt share (RFC 7523 client authentication): request
// checks, the assertion's identity and claims, audience modes, replay protection with the
// optional node-local cache. Subclasses supply the algorithms and the signature check.
#pragma once

#include <idgate/jose/client_assertion.h>
#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include <memory>
#include <string>
#include <vector>

#include "jti_cache.h"
#include "key_set_verifier.h"

namespace idgate::plugins {

constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

class AssertionAuthenticator : public idgate::sdk::ClientAuthenticator {
 public:
  AssertionAuthenticator(idgate::sdk::Host& host, const idgate::sdk::Properties& props,
                         std::string method);

  idgate::sdk::Outcome authenticate(const idgate::sdk::Request& request) override;

 protected:
  /// Whether this method accepts `alg` at all (before any client pinning).
  virtual bool algorithmAllowed(const std::string& alg) const = 0;
  /// Verifies the signature with the keys of `client_id`.
  /// `metadata_text` is the JSON `metadata` was parsed from (a cache key for imported keys).
  virtual SignatureCheck verifySignature(const jose::CompactJws& jws, const std::string& client_id,
                                         const jose::Json& metadata,
                                         const std::string& metadata_text) = 0;

  idgate::sdk::Host& host_;

 private:
  std::vector<std::string> acceptedAudiences(const jose::Json& metadata) const;

  std::string method_;
  bool prevent_reuse_ = true;
  int64_t skew_s_ = 60;
  int64_t reject_before_s_ = 300 * 60;
  int64_t max_lifetime_s_ = 3600;
  bool strict_audience_ = false;
  std::string issuer_;
  std::vector<std::string> token_endpoints_;
  std::vector<std::string> aliases_;
  std::unique_ptr<JtiCache> cache_;
};

}  // namespace idgate::plugins
