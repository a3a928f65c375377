// ASCII case folding: how keystore aliases and client ids are compared without case (keytool's
// rule, and the same in every locale, unlike std::tolower or a database's LOWER).
#pragma once

#include <string>

namespace idgate {

inline std::string asciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace idgate
