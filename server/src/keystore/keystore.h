// A keystore: named entries loaded from a PKCS#12 file, looked up case-insensitively.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keystore/keystore_entry.h"
#include "keystore/pkcs12_codec.h"

namespace idgate {

class Keystore {
 public:
  Keystore() = default;
  explicit Keystore(std::vector<KeystoreEntry> entries) : entries_(std::move(entries)) {}

  /// Reads a file; `type` ("PKCS12", empty = any) is checked against the file's bytes.
  /// Throws KeystoreError with a message fit for the operator.
  static Keystore load(const std::string& path, const std::string& type,
                       const std::string& password, const std::string& key_password);

  /// Writes atomically: temporary file, fsync, rename.
  void save(const std::string& path, const std::string& password,
            const std::string& key_password) const;

  /// Case-insensitive alias lookup (as JKS does); nullptr when absent.
  const KeystoreEntry* find(const std::string& alias) const;

  /// Adds or replaces the entry with the same alias (ignoring case).
  void put(KeystoreEntry entry);
  bool remove(const std::string& alias);

  const std::vector<KeystoreEntry>& entries() const { return entries_; }

 private:
  std::vector<KeystoreEntry> entries_;
};

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode);

}  // namespace idgate
