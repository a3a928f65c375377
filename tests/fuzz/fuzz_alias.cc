// Keystore alias validation: an alias idgate may create is exactly a valid client id (a client's
// certificate is imported under its id), and is safe in a URL path segment and a log line.
#include <cstdint>
#include <cstdlib>

#include "clients/client_metadata.h"
#include "keystore/alias.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string alias(reinterpret_cast<const char*>(data), size);
  bool ok = !idgate::aliasError(alias).has_value();
  if (ok != idgate::isValidClientId(alias)) std::abort();
  if (ok) {
    if (alias == "." || alias == ".." || alias.size() > 255) std::abort();
    for (unsigned char c : alias) {
      if (c <= 0x20 || c >= 0x7f || c == '/' || c == '%' || c == '?' || c == '#') std::abort();
    }
    if (!idgate::certificateAliasFits(alias, alias)) std::abort();
  }
  return 0;
}
