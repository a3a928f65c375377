// JKS and PKCS#12 decoding (keystores come from keytool, an operator or an attacker who can
// write the file): no crash, only KeystoreError for bad input, and what decodes re-encodes to a
// store that decodes to the same aliases and entry kinds. The first input byte picks the
// format; the store password is "changeit" (the seed stores made by Java's keytool use it).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "keystore/jks_codec.h"
#include "keystore/keystore.h"
#include "keystore/pkcs12_codec.h"

using namespace idgate;

namespace {

std::vector<std::pair<std::string, int>> shape(const std::vector<KeystoreEntry>& entries) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& e : entries) out.emplace_back(e.alias, static_cast<int>(e.kind));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool jks = data[0] & 1;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string pw = "changeit";
  std::vector<KeystoreEntry> entries;
  try {
    entries = jks ? decodeJks(bytes, pw, pw) : decodePkcs12(bytes, pw, pw);
  } catch (const KeystoreError&) {
    return 0;
  }
  std::vector<KeystoreEntry> again;
  try {
    again = jks ? decodeJks(encodeJks(entries, pw, pw, 0), pw, pw)
                : decodePkcs12(encodePkcs12(entries, pw, pw), pw, pw);
  } catch (const KeystoreError&) {
    return 0;  // e.g. a secret entry, which JKS cannot hold, or a key OpenSSL will not write
  }
  if (shape(again) != shape(entries)) std::abort();
  return 0;
}
