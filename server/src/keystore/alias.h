// The aliases idgate creates: the characters of a client id (a certificate for a client is
// imported under its id), so an alias is safe in a URL path, a log line and a PKCS#12
// friendlyName. Entries already in a keystore written by another tool are read as they are;
// only new aliases (admin API, idgate-keytool) are checked.
#pragma once

#include <optional>
#include <string>

#include "common/ascii.h"

namespace idgate {

/// nullopt when `alias` may be created, else why not (fit for a 400 or keytool's error).
std::optional<std::string> aliasError(const std::string& alias);

/// Whether a keystore certificate under `alias` may be `client_id`'s: the id itself, or the id
/// in lower case (Java's keytool writes aliases lower-cased). Any other case variant belongs to
/// another id, or to nobody.
inline bool certificateAliasFits(const std::string& alias, const std::string& client_id) {
  return alias == client_id || alias == asciiLower(client_id);
}

}  // namespace idgate
