// The JWS algorithms a DPoP proof may use (RFC 9449 §5.1: dpop_signing_alg_values_supported):
// the asymmetric ones idgate verifies.
#pragma once

#include <string>
#include <vector>

namespace idgate {

inline const std::vector<std::string>& dpopAlgorithms() {
  static const std::vector<std::string> kAlgs = {"ES256", "ES384", "ES512", "PS256", "PS384",
                                                 "PS512", "RS256", "RS384", "RS512", "EdDSA"};
  return kAlgs;
}

}  // namespace idgate
