#include "keystore/alias.h"

namespace idgate {

std::optional<std::string> aliasError(const std::string& alias) {
  bool ok = !alias.empty() && alias.size() <= 255 && alias != "." && alias != "..";
  for (char c : alias) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '@');
  }
  if (ok) return std::nullopt;
  return std::string(
      "alias must be 1-255 characters of A-Z a-z 0-9 - . _ ~ @ (the characters of a client id), "
      "and not . or ..");
}

}  // namespace idgate
