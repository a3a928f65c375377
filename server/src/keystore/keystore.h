// A keystore: named entries loaded from a PKCS#12 file, looked up case-insensitively.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keystore/keystore_entry.h"
#include "keystore/pkcs12_codec.h"

namespace idgate {

/// Keystore files larger than this are refused (some 30000 client certificates fit).
constexpr long kMaxKeystoreBytes = 64L << 20;

class Keystore {
 public:
  enum class Format { kPkcs12, kJks };

  Keystore() = default;
  explicit Keystore(std::vector<KeystoreEntry> entries, Format format = Format::kPkcs12)
      : entries_(std::move(entries)), format_(format) {}

  /// Reads a file; the format (JKS or PKCS12) is detected from its bytes, and `type`
  /// ("PKCS12", "JKS", empty = any) is a check, not a guess.
  /// Throws KeystoreError with a message fit for the operator.
  static Keystore load(const std::string& path, const std::string& type,
                       const std::string& password, const std::string& key_password);

  /// Writes atomically (temporary file, fsync, rename) in this store's format.
  void save(const std::string& path, const std::string& password,
            const std::string& key_password) const;

  Format format() const { return format_; }
  void setFormat(Format f) { format_ = f; }

  /// Case-insensitive alias lookup (as JKS does); nullptr when absent.
  const KeystoreEntry* find(const std::string& alias) const;

  /// Adds or replaces the entry with the same alias (ignoring case).
  void put(KeystoreEntry entry);
  bool remove(const std::string& alias);

  const std::vector<KeystoreEntry>& entries() const { return entries_; }

 private:
  std::vector<KeystoreEntry> entries_;
  Format format_ = Format::kPkcs12;
};

const char* toString(Keystore::Format format);
/// "PKCS12"/"JKS" in any case; nullopt for anything else.
std::optional<Keystore::Format> parseKeystoreType(const std::string& type);

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
void writeFileAtomically(const std::string& path, const std::string& bytes, unsigned mode);

}  // namespace idgate
