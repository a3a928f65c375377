// One named entry of a keystore.
#pragma once

#include <string>
#include <vector>

#include "crypto/openssl_ptr.h"

namespace idgate {

struct KeystoreEntry {
  enum class Kind { kPrivateKey, kTrustedCertificate, kSecret };

  Kind kind = Kind::kTrustedCertificate;
  std::string alias;                   ///< as written; lookups ignore case
  crypto::PkeyPtr key;                 ///< kPrivateKey only
  std::vector<crypto::X509Ptr> chain;  ///< leaf first; one certificate for kTrustedCertificate
  std::string secret;                  ///< kSecret only: raw key bytes
};

const char* toString(KeystoreEntry::Kind kind);

}  // namespace idgate
