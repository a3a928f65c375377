// Java KeyStore (JKS) files as Java's keytool reads and writes them: magic FEEDFEED, version 2,
// private key entries protected with Sun's KeyProtector, trusted certificate entries, and the
// trailing SHA-1 integrity digest keyed by the store password.
#pragma once

#include <string>
#include <vector>

#include "keystore/keystore_entry.h"
#include "keystore/pkcs12_codec.h"

namespace idgate {

bool looksLikeJks(const std::string& bytes);

/// Throws KeystoreError ("keystore password was incorrect", truncated, unknown entry type...).
/// Private keys are decrypted with `key_password` (falling back to the store password).
std::vector<KeystoreEntry> decodeJks(const std::string& bytes, const std::string& password,
                                     const std::string& key_password);

/// Secret key entries cannot be stored in JKS: KeystoreError.
std::string encodeJks(const std::vector<KeystoreEntry>& entries, const std::string& password,
                      const std::string& key_password, int64_t now_ms);

}  // namespace idgate
