// PKCS#12 files with named entries (friendlyName = alias): private keys with chains,
// trusted certificates and secret keys. Reading uses the store password for the MAC and
// the safes, and the key password (falling back to the store password) for keys.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "keystore/keystore_entry.h"

namespace idgate {

class KeystoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::vector<KeystoreEntry> decodePkcs12(const std::string& bytes, const std::string& password,
                                        const std::string& key_password);

/// PBES2/AES-256-CBC for keys and safes, HMAC-SHA256 MAC.
std::string encodePkcs12(const std::vector<KeystoreEntry>& entries, const std::string& password,
                         const std::string& key_password);

}  // namespace idgate
