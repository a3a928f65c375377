// The <TrustedIssuer> elements of a grant's EventListener (the JWT bearer grant and token
// exchange read the same ones): who may vouch for a subject, and the keys their JWTs are
// verified with: an inline JWK set, a jwksUri fetched through the host, or a keystore alias.
//
//   <TrustedIssuer issuer="https://partner.example.com" jwksUri="https://partner.example.com/jwks"
//                  audience="https://api.example.com" subjectClaim="email"/>
//   <TrustedIssuer issuer="legacy-idp" keystoreAlias="legacy-idp"/>
//   <TrustedIssuer issuer="https://idp.internal">{"keys":[...]}</TrustedIssuer>
#pragma once

#include <idgate/jose/jws.h>
#include <idgate/sdk.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "key_set_verifier.h"

namespace idgate::plugins {

struct TrustedIssuer {
  std::string issuer;
  std::string jwks_text;  ///< inline JWK set, or empty
  std::optional<jose::Json> jwks;
  std::string jwks_uri;
  std::string keystore_alias;
  std::vector<std::string> audiences;  ///< accepted besides this server's own identifiers
  std::string subject_claim = "sub";
};

/// "TrustedIssuer.<n>.<attribute>" properties (the host numbers the elements); throws
/// sdk::ConfigError naming the issuer and what is wrong. `required`: none configured is an error.
std::map<std::string, TrustedIssuer> trustedIssuers(const idgate::sdk::Properties& props,
                                                    bool required);

/// The JWT's signature checked with `issuer`'s keys (never keys from the token header).
SignatureCheck verifyIssuerSignature(idgate::sdk::Host& host, KeySetVerifier& verifier,
                                     const TrustedIssuer& issuer, const jose::CompactJws& jws);

}  // namespace idgate::plugins
